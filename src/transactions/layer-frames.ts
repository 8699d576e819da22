// Which transaction of a layer (resilience, cache) the calling flow is in: a frame per
// transaction, carried by the flow's async context. A layer around the contract needs this to
// treat calls inside a transaction differently (never retried on their own; never cached) and to
// act when the transaction ends.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactionHandle } from '../adapters/database-adapter.interface';

/** A layer's view of one transaction the calling flow is in. */
export interface LayerFrame {
  /** False once the transaction has ended: the flow is outside it again. */
  active: boolean;
  /** The handle's id, for a transaction of beginTransaction(); -1 while BEGIN is on its way. */
  handleId?: number;
  /** The frame a failed beginTransaction() hands the flow back to. */
  previous?: LayerFrame;
}

/**
 * The frames of one layer. Owned by the layer (never shared between two), like the transaction
 * manager's scopes; while no transaction is open the context lookup is skipped. `F` is the
 * layer's frame, with whatever it keeps per transaction; `extra` makes those fields for a new one.
 */
export class LayerFrames<F extends LayerFrame = LayerFrame> {
  private readonly storage = new AsyncLocalStorage<F | undefined>();
  private readonly handles = new Map<number, F>();
  private open = 0;

  constructor(private readonly extra: () => Omit<F, keyof LayerFrame> = () => ({}) as never) {
    // As in the transaction manager: start tracking promise contexts now (Node 20 starts on an
    // AsyncLocalStorage's first use), or a first beginTransaction() could leak its frame.
    this.storage.enterWith(undefined);
  }

  /** The innermost active frame of the calling flow: the transaction its calls belong to. */
  current(): F | undefined {
    if (this.open === 0) return undefined;
    for (let f: LayerFrame | undefined = this.storage.getStore(); f !== undefined; f = f.previous) {
      if (f.active) return f as F;
    }
    return undefined;
  }

  /** Whether the flow is inside transaction(work)'s work, where beginTransaction() is refused. */
  inTransactionWork(): boolean {
    const frame = this.storage.getStore();
    return frame?.active === true && frame.handleId === undefined;
  }

  /** A frame for transaction(work), open until {@link end}. */
  start(): F {
    this.open += 1;
    return { ...this.extra(), active: true } as F;
  }

  /** Runs `work` in `frame`: its calls belong to that transaction. */
  run<R>(frame: F, work: () => R): R {
    return this.storage.run(frame, work);
  }

  /**
   * The frame beginTransaction() enters, synchronously, in the calling flow; undefined inside
   * transaction()'s work, where the wrapped adapter refuses to begin one.
   */
  enter(): F | undefined {
    if (this.inTransactionWork()) return undefined;
    const previous = this.storage.getStore();
    const frame = { ...this.start(), handleId: -1, previous } as F;
    this.storage.enterWith(frame);
    return frame;
  }

  /** BEGIN went through: the frame answers to its handle from now on. */
  begun(frame: F, handle: TransactionHandle): void {
    frame.handleId = handle.id;
    frame.previous = undefined;
    this.handles.set(handle.id, frame);
  }

  /** The open frame of a beginTransaction() transaction: the handle's, else the flow's own. */
  ofHandle(handle: TransactionHandle | undefined): F | undefined {
    const frame = handle ? this.handles.get(handle.id) : this.storage.getStore();
    return frame?.active && frame.handleId !== undefined ? frame : undefined;
  }

  /** The transaction has ended: its flow is outside it again. Safe twice. */
  end(frame: F): void {
    if (!frame.active) return;
    frame.active = false;
    if (frame.handleId !== undefined) this.handles.delete(frame.handleId);
    this.open -= 1;
  }
}
