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
