import { ValidationException } from '../exceptions';
import type { IBaseEntity, TableDefinition } from '../schema/table-definition';
import type {
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
} from './database-adapter.interface';

/** Options of {@link IDatabaseAdapter.iterate}. */
export interface IterateOptions {
  /**
   * How many rows each read fetches: an integer from 1 to the page maximum (default 100). The
   * iteration holds at most one batch in memory. Default is 100.
   */
  batchSize?: number;
}

/** One batch: a cursor page, its size refused under the name the caller used. */
async function readBatch<T extends IBaseEntity>(
  source: Pick<IDatabaseAdapter, 'findPage'>,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<ICursorPaginatedResult<T>> {
  try {
    return (await source.findPage(options, table)) as ICursorPaginatedResult<T>;
  } catch (error) {
    if (error instanceof ValidationException && error.field === 'pagination.limit') {
      throw new ValidationException(
        error.message.replace('pagination.limit', 'batchSize'),
        'batchSize',
        { cause: error },
      );
    }
    throw error;
  }
}

/** The batch size of an iteration; ValidationException for a bad one or a `pagination` option. */
function checkIteration(options: unknown, iterateOptions: IterateOptions | undefined): number {
  const batchSize = iterateOptions?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationException('batchSize must be a positive integer', 'batchSize');
  }
  if ((options as FindOptions | undefined)?.pagination !== undefined) {
    throw new ValidationException(
      'iterate pages by itself: give batchSize instead of pagination',
      'pagination',
    );
  }
  return batchSize;
}

/** The batch size used when {@link IterateOptions.batchSize} is not given. */
export const DEFAULT_BATCH_SIZE = 100;

/** Read options for an iteration: everything a read takes but the page, which it makes itself. */
export type IterateFindOptions = Omit<FindOptions, 'pagination'>;

/**
 * Every row matching `options`, in their order, read batch by batch through `source.findPage`
 * with cursor pagination: each batch starts strictly after the last row of the one before, so
 * memory holds one batch at a time and rows are neither skipped nor repeated while the order
 * keys of the rows do not change. A batch is read only when the loop asks for its first row, so
 * breaking out of the loop stops reading. Each batch is one read of `source`: it joins the
 * calling flow's transaction like any other call, and is observed and retried as a `findPage`
 * by the layers that wrap `source`.
 *
 * A bad `batchSize`, a `pagination` option or bad read options fail the first step of the loop
 * with a ValidationException, before anything is read.
 */
export function iterateRows<T extends IBaseEntity>(
  source: Pick<IDatabaseAdapter, 'findPage'>,
  options: IterateFindOptions,
  table: TableDefinition<T>,
  iterateOptions: IterateOptions = {},
): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      const batchSize = checkIteration(options, iterateOptions);
      let after: string | null = null;
      do {
        // Block-scoped: while the next batch is read, nothing holds this one.
        const page: ICursorPaginatedResult<T> = await readBatch(
          source,
          { ...options, pagination: { after, limit: batchSize } },
          table,
        );
        after = page.nextCursor;
        yield* page.data;
      } while (after !== null);
    },
  };
}
