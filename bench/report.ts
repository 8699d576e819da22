import type { BenchProfile } from './bench-profile';
import type { MemoryRow } from './memory-probe';
import type { OperationKey, OperationResult } from './user-suite';

/** One provider's table: its results and what the targets are measured against. */
export interface ProviderReport {
  title: string;
  results: OperationResult[];
  /** Minimum library ÷ raw ratio per operation. */
  targets: Partial<Record<OperationKey, number>>;
  /** Minimum named-statements ÷ raw ratio per operation (PostgreSQL). */
  namedTargets?: Partial<Record<OperationKey, number>>;
  /** What the search row runs, for its label. */
  searchKind: string;
}

/** A verdict on one target, for the summary under the tables. */
export interface Verdict {
  provider: string;
  target: string;
  met: boolean;
  measured: string;
}

function label(key: OperationKey, profile: BenchProfile, searchKind: string): string {
  const deep = `row ${profile.deepOffset.toLocaleString('en-US')} of ${profile.rows.toLocaleString('en-US')}`;
  switch (key) {
    case 'create':
      return 'create (1 row, auto-commit, validated)';
    case 'findById':
      return 'findById';
    case 'findMany':
      return 'findMany (status + role, newest first, limit 10 offset 20)';
    case 'count':
      return 'count (status + role)';
    case 'update':
      return 'update by id (returns the row)';
    case 'createMany':
      return `createMany (${profile.batchSize.toLocaleString('en-US')} rows, 1 transaction; ops = batches)`;
    case 'search':
      return `search (substring, 1 match, ${searchKind})`;
    case 'searchScan':
      return 'search as an unindexed LIKE scan (raw only)';
    case 'firstPage':
      return 'first page by cursor (10 rows)';
    case 'deepCursor':
      return `deep page by cursor (${deep})`;
    case 'deepOffset':
      return `deep page by offset (${deep}, with total)`;
  }
}

function rate(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function ratio(value: number | undefined, base: number | undefined): string {
  return value === undefined || base === undefined ? '–' : times(value / base);
}

/** A ratio with two decimals, rounded down so a shortfall never prints as the target itself. */
function times(value: number | undefined): string {
  return value === undefined ? '–' : `${(Math.floor(value * 100) / 100).toFixed(2)}×`;
}

function find(results: OperationResult[], key: OperationKey): OperationResult | undefined {
  return results.find((r) => r.key === key);
}

/** The markdown table of one provider, and the verdict on each of its targets. */
export function providerTable(
  report: ProviderReport,
  profile: BenchProfile,
): { markdown: string; verdicts: Verdict[] } {
  const named = report.results.some((r) => r.named !== undefined);
  const verdicts: Verdict[] = [];
  const columns = ['Operation', 'raw ops/s', 'library ops/s', 'library ÷ raw'];
  columns.push('Drizzle .prepare() ÷ raw', 'Kysely ÷ raw');
  if (named) columns.push('library, named statements ops/s', 'named ÷ raw');
  columns.push('target');
  const align = columns.map((c, i) => (i === 0 || c === 'target' ? '---' : '---:'));
  const lines = [`| ${columns.join(' | ')} |`, `|${align.join('|')}|`];
  const scan = find(report.results, 'searchScan')?.raw;
  const first = find(report.results, 'firstPage')?.library;
  for (const result of report.results) {
    const targets: string[] = [];
    const minimum = report.targets[result.key];
    if (minimum !== undefined && result.libraryRatio !== undefined) {
      const met = result.libraryRatio >= minimum;
      targets.push(`≥ ${minimum}× raw: ${met ? 'met' : '**missed**'}`);
      verdicts.push({
        provider: report.title,
        target: `${result.key} ≥ ${minimum}× raw`,
        met,
        measured: times(result.libraryRatio),
      });
    }
    const namedMinimum = report.namedTargets?.[result.key];
    if (namedMinimum !== undefined && result.namedRatio !== undefined) {
      const met = result.namedRatio >= namedMinimum;
      targets.push(`named ≥ ${namedMinimum}× raw: ${met ? 'met' : '**missed**'}`);
      verdicts.push({
        provider: report.title,
        target: `${result.key} with named statements ≥ ${namedMinimum}× raw`,
        met,
        measured: times(result.namedRatio),
      });
    }
    // Drizzle's .prepare() names its statements; so does the library by default on a direct
    // PostgreSQL URL ('auto'), which the named column measures: like is compared with like.
    const asDeployed = result.namedRatio ?? result.libraryRatio;
    if (result.drizzleRatio !== undefined && asDeployed !== undefined) {
      const met = asDeployed >= result.drizzleRatio;
      const named = result.namedRatio !== undefined;
      targets.push(`≥ Drizzle${named ? ' (named)' : ''}: ${met ? 'met' : '**missed**'}`);
      verdicts.push({
        provider: report.title,
        target: `${result.key} ≥ Drizzle .prepare()${named ? ' (library named, as on a direct URL)' : ''}`,
        met,
        measured: `${times(asDeployed)} vs ${times(result.drizzleRatio)}`,
      });
    }
    if (result.key === 'search' && scan !== undefined && result.library !== undefined) {
      const met = result.library / scan >= 10;
      targets.push(`≥ 10× the scan: ${ratio(result.library, scan)}, ${met ? 'met' : '**missed**'}`);
      verdicts.push({
        provider: report.title,
        target: 'search ≥ 10× the unindexed scan',
        met,
        measured: ratio(result.library, scan),
      });
    }
    if (result.key === 'deepCursor' && first !== undefined && result.library !== undefined) {
      const times = first / result.library;
      const met = times <= 2;
      targets.push(`≤ 2× first page's time: ${times.toFixed(2)}×, ${met ? 'met' : '**missed**'}`);
      verdicts.push({
        provider: report.title,
        target: 'deep cursor page ≤ 2× the first page',
        met,
        measured: `${times.toFixed(2)}×`,
      });
    }
    if (result.key === 'deepOffset' && first !== undefined && result.library !== undefined) {
      targets.push(`(costs ${(first / result.library).toFixed(0)}× the first page)`);
    }
    const cells = [
      label(result.key, profile, report.searchKind),
      rate(result.raw),
      rate(result.library),
      times(result.libraryRatio),
      times(result.drizzleRatio),
      times(result.kyselyRatio),
    ];
    if (named) cells.push(rate(result.named), times(result.namedRatio));
    cells.push(targets.join('; '));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return { markdown: `### ${report.title}\n\n${lines.join('\n')}\n`, verdicts };
}

const MB = 2 ** 20;

/**
 * The memory table: createMany of many rows and iterate over as many, per provider, each
 * measured in a process of its own.
 */
export function memoryTable(
  rows: number,
  measured: readonly MemoryRow[],
): { markdown: string; verdicts: Verdict[] } {
  const verdicts: Verdict[] = [];
  const lines = [
    '| Operation | provider | heap growth | RSS before | peak RSS | target |',
    '|---|---|---:|---:|---:|---|',
  ];
  const count = rows.toLocaleString('en-US');
  for (const { kind, title, memory } of measured) {
    const growth = memory.heapGrowth / MB;
    const met = growth < 100;
    verdicts.push({
      provider: title,
      target: `${kind} of ${count} rows < 100 MB heap growth`,
      met,
      measured: `${growth.toFixed(0)} MB`,
    });
    const how = kind === 'createMany' ? 'kept after GC' : 'peak while iterating';
    lines.push(
      `| ${kind} (${count} rows) | ${title} | ${growth.toFixed(0)} MB ${how} | ${(memory.rssBefore / MB).toFixed(0)} MB | ${(memory.peakRss / MB).toFixed(0)} MB | < 100 MB heap growth: ${met ? 'met' : '**missed**'} |`,
    );
  }
  return { markdown: `### Memory\n\n${lines.join('\n')}\n`, verdicts };
}
