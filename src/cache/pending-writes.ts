// Which tables a write, or a transaction's writes, may have changed: what the layer invalidates
// once they are committed, and what reads avoid the cache for until then.

/** The tables written by one write or one transaction. */
export class PendingWrites {
  private readonly tables = new Set<string>();
  private everyTable = false;

  /** Adds the tables of one write; undefined: tables the layer cannot name, so every table. */
  add(tables: readonly string[] | undefined): void {
    if (tables === undefined) this.everyTable = true;
    else for (const table of tables) this.tables.add(table);
  }

  /** Whether a read of `table` could see these writes. */
  covers(table: string): boolean {
    return this.everyTable || this.tables.has(table);
  }

  get isEmpty(): boolean {
    return !this.everyTable && this.tables.size === 0;
  }

  /** What to invalidate: the tables, or undefined for every table. */
  toInvalidate(): readonly string[] | undefined {
    return this.everyTable ? undefined : [...this.tables];
  }
}

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

/** A new frame for a transaction that begins now. */
export function newFrame(handleId?: number, previous?: CacheFrame): CacheFrame {
  return { active: true, writes: new PendingWrites(), committing: false, handleId, previous };
}

/** The innermost frame of the flow that is still active. */
export function activeFrame(frame: CacheFrame | undefined): CacheFrame | undefined {
  for (let f = frame; f !== undefined; f = f.previous) if (f.active) return f;
  return undefined;
}
