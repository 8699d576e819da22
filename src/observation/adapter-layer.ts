import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import {
  iterateRows,
  type IterateFindOptions,
  type IterateOptions,
} from '../adapters/iterate-rows';
import type { IBaseEntity, TableDefinition } from '../schema/table-definition';
import { sqlTag } from '../adapters/raw-sql';
import { forwardExtras } from './forward-extras';

/**
 * The part every layer around an adapter shares: it keeps the wrapped adapter as `inner` (where
 * the test transaction looks for the SQL adapter), reports its provider and capabilities, closes
 * it, and forwards its optional figures (pool, tables, storage, resilience, cache). `sql` and
 * `iterate` are built on the layer's own `runSql` and `findPage`, which the subclass defines, so
 * the layer sees raw statements and every batch of an iteration.
 */
export abstract class AdapterLayer {
  /** Raw SQL through this layer's `runSql` (looked up at call time). */
  readonly sql: IDatabaseAdapter['sql'] = sqlTag(this as unknown as IDatabaseAdapter);

  protected constructor(
    /** The wrapped adapter. */
    readonly inner: IDatabaseAdapter,
  ) {}

  /** Forwards the inner adapter's optional figures; call it once the layer's own methods are set. */
  protected forwardExtras(): void {
    forwardExtras(this, this.inner);
  }

  get provider(): IDatabaseAdapter['provider'] {
    return this.inner.provider;
  }

  get capabilities(): IDatabaseAdapter['capabilities'] {
    return this.inner.capabilities;
  }

  /** Batches through this layer's `findPage`: each is one operation of the layer. */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T> {
    return iterateRows(this as unknown as IDatabaseAdapter, options, table, iterateOptions);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
