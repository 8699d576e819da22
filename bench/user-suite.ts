import type { UserCreateInput } from '../src/repositories/user.repository';
import { measure, type Contender, type MeasureSettings } from './measure';
import { newUserInput } from './seed-data';
import type { PagePosition, UserOperations } from './user-operations';

/** The rows of a result table, in the order they are printed. */
export type OperationKey =
  | 'create'
  | 'findById'
  | 'findMany'
  | 'count'
  | 'update'
  | 'createMany'
  | 'search'
  | 'searchScan'
  | 'firstPage'
  | 'deepCursor'
  | 'deepOffset';

/** The measured ops/s of one operation, per contender (absent when not measured). */
export interface OperationResult {
  key: OperationKey;
  raw?: number;
  library?: number;
  /** The library with named prepared statements (PostgreSQL only). */
  named?: number;
  /** library ÷ raw and named ÷ raw, as medians of per-round ratios (see {@link measure}). */
  libraryRatio?: number;
  namedRatio?: number;
}

/** What one provider's run needs. */
export interface SuiteInput {
  raw: UserOperations & { searchScan(text: string): unknown };
  library: UserOperations;
  named?: UserOperations;
  /** Ids of seeded users, read and updated in a spread-out order. */
  ids: readonly string[];
  /** Seeded rows: search texts pick among them. */
  seeded: number;
  position: PagePosition;
  /** Rows per createMany call. */
  batchSize: number;
  settings: MeasureSettings;
  /** Settings for createMany, whose single operation takes a noticeable time. */
  batchSettings: MeasureSettings;
  searchText(i: number): string;
  log(message: string): void;
}

/** lastLogin values of the update row start here, a millisecond apart. */
const LOGIN_EPOCH = Date.UTC(2025, 0, 1);

type Contenders = Partial<Record<'raw' | 'library' | 'named', Contender>>;

function simple(input: SuiteInput, make: (ops: UserOperations, i: number) => unknown): Contenders {
  const contenders: Contenders = {
    raw: { run: (i) => make(input.raw, i) },
    library: { run: (i) => make(input.library, i) },
  };
  const named = input.named;
  if (named) contenders.named = { run: (i) => make(named, i) };
  return contenders;
}

function batched(input: SuiteInput, ops: UserOperations): Contender {
  let batch: UserCreateInput[] = [];
  return {
    prepare: (i) => {
      batch = Array.from({ length: input.batchSize }, (_, k) =>
        newUserInput(i * input.batchSize + k + 1_000_000_000),
      );
    },
    run: () => ops.createMany(batch),
  };
}

/**
 * Measures every operation on one provider. Reads run first, on the seeded table as it is;
 * writes run last, since they grow the table.
 */
export async function runUserSuite(input: SuiteInput): Promise<OperationResult[]> {
  const id = (i: number) => input.ids[(i * 7919) % input.ids.length];
  const plan: Array<[OperationKey, Contenders, MeasureSettings]> = [
    ['findById', simple(input, (ops, i) => ops.findById(id(i))), input.settings],
    ['findMany', simple(input, (ops) => ops.findMany()), input.settings],
    ['count', simple(input, (ops) => ops.count()), input.settings],
    ['search', simple(input, (ops, i) => ops.search(input.searchText(i))), input.settings],
    [
      'searchScan',
      { raw: { run: (i) => input.raw.searchScan(input.searchText(i)) } },
      input.settings,
    ],
    ['firstPage', simple(input, (ops) => ops.firstPage()), input.settings],
    ['deepCursor', simple(input, (ops) => ops.deepCursorPage(input.position)), input.settings],
    ['deepOffset', simple(input, (ops) => ops.deepOffsetPage(input.position)), input.settings],
    [
      'update',
      simple(input, (ops, i) => ops.update(id(i), new Date(LOGIN_EPOCH + i).toISOString())),
      input.settings,
    ],
    ['create', simple(input, (ops, i) => ops.create(newUserInput(i))), input.settings],
  ];
  const batchContenders: Contenders = {
    raw: batched(input, input.raw),
    library: batched(input, input.library),
  };
  if (input.named) batchContenders.named = batched(input, input.named);
  plan.push(['createMany', batchContenders, input.batchSettings]);

  const results: OperationResult[] = [];
  for (const [key, contenders, settings] of plan) {
    const names = (['raw', 'library', 'named'] as const).filter((n) => contenders[n]);
    const measured = await measure(
      names.map((n) => contenders[n]!),
      settings,
    );
    const result: OperationResult = { key };
    names.forEach((n, index) => (result[n] = measured.opsPerSecond[index]));
    // Ratios are taken against raw, which is always measured first.
    if (result.raw !== undefined && result.library !== undefined)
      result.libraryRatio = measured.ratios[names.indexOf('library')];
    if (result.raw !== undefined && result.named !== undefined)
      result.namedRatio = measured.ratios[names.indexOf('named')];
    input.log(
      `  ${key}: ${names.map((n, i) => `${n} ${Math.round(measured.opsPerSecond[i])}/s`).join(', ')}`,
    );
    results.push(result);
  }
  return results;
}
