import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { FULL_PROFILE, QUICK_PROFILE, type BenchProfile } from './bench-profile';
import { benchInclude } from './include.bench';
import { benchPostgres, DEFAULT_ADMIN_URL, postgresUnavailable } from './postgres.bench';
import type { MemoryRow } from './memory-probe';
import { memoryTable, providerTable, type ProviderReport, type Verdict } from './report';
import { benchSqlite } from './sqlite.bench';

/**
 * `npm run bench [-- --quick] [-- --sqlite-only] [-- --out file.md]`: the library's repositories
 * side by side with the raw drivers, on SQLite and PostgreSQL, printed as markdown tables.
 * `BENCH_PG_URL` names the PostgreSQL server (an admin connection that may create databases).
 */
interface Arguments {
  profile: BenchProfile;
  postgres: boolean;
  out?: string;
}

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { profile: FULL_PROFILE, postgres: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.profile = QUICK_PROFILE;
    else if (arg === '--sqlite-only') args.postgres = false;
    else if (arg === '--out') args.out = argv[++i];
    else throw new Error(`Unknown argument ${arg} (use --quick, --sqlite-only, --out <file>)`);
  }
  return args;
}

function driverVersion(name: string): string {
  const manifest = readFileSync(require.resolve(`${name}/package.json`), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const { profile } = args;
  const started = Date.now();
  const sections: string[] = [];
  const verdicts: Verdict[] = [];
  const loadAtStart = loadavg()[0];
  const facts = [
    `- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    `- Node ${process.version}, better-sqlite3 ${driverVersion('better-sqlite3')}, pg ${driverVersion('pg')}`,
  ];

  log(`Benchmark (${profile.name}): ${profile.rows} users per provider`);
  const sqlite = await benchSqlite(profile, log);
  facts.push(`- SQLite ${sqlite.sqliteVersion} (WAL, synchronous=NORMAL, file in the OS temp dir)`);
  const sqliteReport: ProviderReport = {
    title: 'SQLite',
    results: sqlite.results,
    // Issue 15: ≥ 0.9× raw on every point operation and on createMany (chunked raw inserts).
    targets: {
      findById: 0.9,
      update: 0.9,
      count: 0.9,
      findMany: 0.9,
      create: 0.9,
      createMany: 0.9,
    },
    searchKind: sqlite.indexedSearch ? 'FTS5 trigram' : 'LIKE scan',
  };
  const tables = [providerTable(sqliteReport, profile)];

  const adminUrl = process.env.BENCH_PG_URL ?? DEFAULT_ADMIN_URL;
  const unavailable = args.postgres
    ? await postgresUnavailable(adminUrl)
    : 'skipped (--sqlite-only)';
  let postgresMemory: MemoryRow[] = [];
  if (unavailable === undefined) {
    const postgres = await benchPostgres(profile, adminUrl, log);
    postgresMemory = postgres.memory;
    facts.push(`- PostgreSQL ${postgres.serverVersion} over loopback, one connection for raw pg`);
    const all = 0.9;
    tables.push(
      providerTable(
        {
          title: 'PostgreSQL',
          results: postgres.results,
          targets: {
            create: all,
            findById: all,
            findMany: all,
            count: all,
            update: all,
            createMany: all,
            search: all,
            firstPage: all,
            deepCursor: all,
            deepOffset: all,
          },
          namedTargets: { findById: 1.2, update: 1.2 },
          searchKind: postgres.trigramIndexes ? 'pg_trgm GIN' : 'ILIKE scan, no pg_trgm',
        },
        profile,
      ),
    );
  } else {
    log(`PostgreSQL not benchmarked: ${unavailable}`);
    facts.push(`- PostgreSQL not benchmarked: ${unavailable}`);
  }

  tables.push(memoryTable(profile.memoryRows, [...sqlite.memory, ...postgresMemory]));
  tables.push(await benchInclude(profile, unavailable === undefined ? adminUrl : undefined, log));
  for (const table of tables) {
    sections.push(table.markdown);
    verdicts.push(...table.verdicts);
  }
  const missed = verdicts.filter((v) => !v.met);
  const summary =
    missed.length === 0
      ? `All ${verdicts.length} targets met.`
      : `${verdicts.length - missed.length} of ${verdicts.length} targets met. Missed: ${missed
          .map((v) => `${v.provider} ${v.target} (${v.measured})`)
          .join('; ')}.`;
  facts.push(
    `- Load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end: other processes share these cores`,
  );
  const markdown = [
    `## Benchmark (${profile.name}, ${new Date().toISOString().slice(0, 10)})`,
    '',
    ...facts,
    `- ${profile.rows.toLocaleString('en-US')} users seeded; median of ${profile.settings.trials} trials of ≥ ${profile.settings.trialMs} ms after ${profile.settings.warmupMs} ms warm-up (createMany: median of ${profile.batchSettings.trials} single calls); ops/s are medians, ratios are medians of per-round ratios`,
    '',
    ...sections,
    summary,
    '',
  ].join('\n');
  process.stdout.write(markdown);
  if (args.out) writeFileSync(args.out, markdown);
  log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
