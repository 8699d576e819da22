import type { UserCreateInput } from '../src/repositories/user.repository';
import type { PeerOperations } from './drizzle.operations';
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
  /** The peer ORMs doing the same operation: Drizzle with `.prepare()`, and Kysely. */
  drizzle?: number;
  kysely?: number;
  /** Each contender ÷ raw, as medians of per-round ratios (see {@link measure}). */
  libraryRatio?: number;
  namedRatio?: number;
  drizzleRatio?: number;
  kyselyRatio?: number;
}

/** What one provider's run needs. */
export interface SuiteInput {
  raw: UserOperations & { searchScan(text: string): unknown };
  library: UserOperations;
  named?: UserOperations;
  /** Peer ORMs measured in the same rounds (every operation but search). */
  drizzle?: PeerOperations;
  kysely?: PeerOperations;
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

/** Contenders in measuring order: raw first, since every ratio is taken against it. */
const NAMES = ['raw', 'library', 'named', 'drizzle', 'kysely'] as const;
type Contenders = Partial<Record<(typeof NAMES)[number], Contender>>;

/** Every contender that has the operation. */
function simple<K extends keyof UserOperations>(
  input: SuiteInput,
  operation: K,
  make: (ops: Pick<UserOperations, K>, i: number) => unknown,
): Contenders {
  const contenders: Contenders = {};
  for (const name of NAMES) {
    const ops = input[name] as Partial<UserOperations> | undefined;
    if (ops?.[operation]) contenders[name] = { run: (i) => make(ops as UserOperations, i) };
  }
  return contenders;
}

function batched(input: SuiteInput, ops: PeerOperations): Contender {
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
    ['findById', simple(input, 'findById', (ops, i) => ops.findById(id(i))), input.settings],
    ['findMany', simple(input, 'findMany', (ops) => ops.findMany()), input.settings],
    ['count', simple(input, 'count', (ops) => ops.count()), input.settings],
    [
      'search',
      simple(input, 'search', (ops, i) => ops.search(input.searchText(i))),
      input.settings,
    ],
    [
      'searchScan',
      { raw: { run: (i) => input.raw.searchScan(input.searchText(i)) } },
      input.settings,
    ],
    ['firstPage', simple(input, 'firstPage', (ops) => ops.firstPage()), input.settings],
    [
      'deepCursor',
      simple(input, 'deepCursorPage', (ops) => ops.deepCursorPage(input.position)),
      input.settings,
    ],
    [
      'deepOffset',
      simple(input, 'deepOffsetPage', (ops) => ops.deepOffsetPage(input.position)),
      input.settings,
    ],
    [
      'update',
      simple(input, 'update', (ops, i) =>
        ops.update(id(i), new Date(LOGIN_EPOCH + i).toISOString()),
      ),
      input.settings,
    ],
    ['create', simple(input, 'create', (ops, i) => ops.create(newUserInput(i))), input.settings],
  ];
  const batchContenders: Contenders = {};
  for (const name of NAMES) {
    const ops = input[name];
    if (ops) batchContenders[name] = batched(input, ops);
  }
  plan.push(['createMany', batchContenders, input.batchSettings]);

  const results: OperationResult[] = [];
  for (const [key, contenders, settings] of plan) {
    const names = NAMES.filter((n) => contenders[n]);
    const measured = await measure(
      names.map((n) => contenders[n]!),
      settings,
    );
    const result: OperationResult = { key };
    names.forEach((n, index) => (result[n] = measured.opsPerSecond[index]));
    // Ratios are taken against raw, which is always measured first.
    if (result.raw !== undefined && result.library !== undefined)
      result.libraryRatio = measured.ratios[names.indexOf('library')];
    if (result.raw !== undefined) {
      if (result.named !== undefined) result.namedRatio = measured.ratios[names.indexOf('named')];
      if (result.drizzle !== undefined)
        result.drizzleRatio = measured.ratios[names.indexOf('drizzle')];
      if (result.kysely !== undefined)
        result.kyselyRatio = measured.ratios[names.indexOf('kysely')];
    }
    input.log(
      `  ${key}: ${names.map((n, i) => `${n} ${Math.round(measured.opsPerSecond[i])}/s`).join(', ')}`,
    );
    results.push(result);
  }
  return results;
}
