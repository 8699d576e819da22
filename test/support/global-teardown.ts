import { PGBOUNCER_ENV, stopPgBouncer } from './pgbouncer-process';

/** Stops the PgBouncer global setup started, by its PID, and removes its temporary directory. */
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env[PGBOUNCER_ENV.pid]);
  if (Number.isInteger(pid) && pid > 0) {
    await stopPgBouncer(pid, process.env[PGBOUNCER_ENV.dir]);
  }
  for (const name of Object.values(PGBOUNCER_ENV)) delete process.env[name];
}
