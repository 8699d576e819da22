// The transactions of one cache layer, as frames carried by each flow's async context: which
// transaction a call belongs to, and the writes to invalidate when it commits.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactionHandle } from '../adapters/database-adapter.interface';
import { PendingWrites } from './pending-writes';

/** The cache layer's view of one transaction the calling flow is in. */
export interface CacheFrame {
  /** False once the transaction has ended: the flow is outside it again. */
  active: boolean;
  /** The writes made in it, invalidated when it commits. */
  readonly writes: PendingWrites;
  /**
   * Its work finished, so COMMIT may follow: from then on the writes may be visible to others,
   * and they are invalidated whatever the outcome (a failed COMMIT's outcome is not known).
   */
  committing: boolean;
  /** The handle's id, for a transaction of beginTransaction(); -1 while BEGIN is on its way. */
  handleId?: number;
  /** The frame a failed beginTransaction() hands the flow back to. */
  previous?: CacheFrame;
}

/**
 * The frames of one layer. Owned by the layer (never shared between two), like the transaction
 * manager's scopes; while no transaction is open the context lookup is skipped.
 */
export class CacheFrames {
  private readonly storage = new AsyncLocalStorage<CacheFrame | undefined>();
  private readonly handles = new Map<number, CacheFrame>();
  private open = 0;

  constructor() {
    // As in the transaction manager: start tracking promise contexts now (Node 20 starts on an
    // AsyncLocalStorage's first use), or a first beginTransaction() could leak its frame.
    this.storage.enterWith(undefined);
  }

  /** The innermost active frame of the calling flow: the transaction its calls belong to. */
  current(): CacheFrame | undefined {
    if (this.open === 0) return undefined;
    for (let f = this.storage.getStore(); f !== undefined; f = f.previous) if (f.active) return f;
    return undefined;
  }

  /** A frame for transaction(work), open until {@link end}. */
  start(): CacheFrame {
    this.open += 1;
    return { active: true, writes: new PendingWrites(), committing: false };
  }

  /** Runs `work` in `frame`: its calls belong to that transaction. */
  run<R>(frame: CacheFrame, work: () => R): R {
    return this.storage.run(frame, work);
  }

  /**
   * The frame beginTransaction() enters, synchronously, in the calling flow; undefined inside
   * transaction(), where the wrapped adapter refuses to begin one.
   */
  enter(): CacheFrame | undefined {
    const previous = this.storage.getStore();
    if (previous?.active && previous.handleId === undefined) return undefined;
    const frame: CacheFrame = { ...this.start(), handleId: -1, previous };
    this.storage.enterWith(frame);
    return frame;
  }

  /** BEGIN went through: the frame answers to its handle from now on. */
  begun(frame: CacheFrame, handle: TransactionHandle): void {
    frame.handleId = handle.id;
    frame.previous = undefined;
    this.handles.set(handle.id, frame);
  }

  /** The open frame of a beginTransaction() transaction: the handle's, else the flow's own. */
  ofHandle(handle: TransactionHandle | undefined): CacheFrame | undefined {
    const frame = handle ? this.handles.get(handle.id) : this.storage.getStore();
    return frame?.active && frame.handleId !== undefined ? frame : undefined;
  }

  /** The transaction has ended: its flow is outside it again. Safe twice. */
  end(frame: CacheFrame): void {
    if (!frame.active) return;
    frame.active = false;
    if (frame.handleId !== undefined) this.handles.delete(frame.handleId);
    this.open -= 1;
  }
}
