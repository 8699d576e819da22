import { PGBOUNCER_ENV } from './pgbouncer-process';
import { describeWithPostgres } from './postgres';

/** Why the PgBouncer tests cannot run here, or undefined when they can. */
export const pgbouncerSkipReason: string | undefined = process.env[PGBOUNCER_ENV.url]
  ? undefined
  : (process.env[PGBOUNCER_ENV.skipReason] ?? `${PGBOUNCER_ENV.url} is not set (no global setup?)`);

/**
 * `describe` when a PgBouncer runs in front of the test server, otherwise a skipped block whose
 * title carries the reason (global setup has printed it; under CI=true it fails the run instead).
 */
export const describeWithPgBouncer: (name: string, fn: () => void) => void = pgbouncerSkipReason
  ? (name, fn) => describe.skip(`${name} [skipped: ${pgbouncerSkipReason}]`, fn)
  : describe;

/**
 * The same database as `directUrl`, reached through the test PgBouncer. The URL carries
 * `pgbouncer=true`, the hint a user of PgBouncer on a port other than 6543 adds, so the adapter's
 * `pooler: 'auto'` treats it as the transaction pooler it is; `hint: false` leaves it out.
 */
export function throughPgBouncer(directUrl: string, { hint = true } = {}): string {
  const base = process.env[PGBOUNCER_ENV.url];
  if (!base) throw new Error(pgbouncerSkipReason);
  const bouncer = new URL(base);
  const url = new URL(directUrl);
  url.hostname = bouncer.hostname;
  url.port = bouncer.port;
  if (hint) url.searchParams.set('pgbouncer', 'true');
  return url.toString();
}

/** One way to reach a test database: directly, or through the test PgBouncer. */
export interface PostgresRoute {
  name: string;
  /** `describe`, or one that skips with the reason when this route is not available here. */
  describe: (name: string, fn: () => void) => void;
  /** The URL of `directUrl`'s database by this route. */
  url(directUrl: string): string;
}

/** The routes the Postgres tests that concern poolers run over, in one list. */
export const POSTGRES_ROUTES: readonly PostgresRoute[] = [
  { name: 'direct', describe: describeWithPostgres, url: (directUrl) => directUrl },
  {
    name: 'through PgBouncer',
    describe: describeWithPgBouncer,
    url: (directUrl) => throughPgBouncer(directUrl),
  },
];
