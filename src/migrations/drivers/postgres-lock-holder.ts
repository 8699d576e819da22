import type { PoolClient } from 'pg';

/** The server session holding an advisory lock, as pg_locks and pg_stat_activity show it. */
export interface MigrationLockHolder {
  pid: number;
  applicationName: string;
  /** When its current transaction began (a session lock may be older), ISO-8601, if known. */
  since?: string;
}

interface HolderRow {
  pid: number;
  application_name: string | null;
  xact_start: Date | null;
}

/**
 * Finds who holds the 64-bit advisory lock `key` on the current database. A bigint key shows in
 * pg_locks split into `classid` (high 32 bits) and `objid` (low 32 bits) with `objsubid = 1`.
 * Undefined when nobody holds it any more (it was released in between).
 */
export async function findLockHolder(
  client: PoolClient,
  key: string,
): Promise<MigrationLockHolder | undefined> {
  const { rows } = await client.query<HolderRow>(
    `SELECT l.pid, a.application_name, a.xact_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
      LIMIT 1`,
    [key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: row.pid,
    applicationName: row.application_name ?? '',
    since: row.xact_start?.toISOString(),
  };
}

/** `held by pid 4242 (application "api", in a transaction since …)`, for logs and errors. */
export function describeLockHolder(holder: MigrationLockHolder | undefined): string {
  if (!holder) return 'held by another session (it was released as we looked)';
  const about = [
    holder.applicationName ? `application "${holder.applicationName}"` : 'no application name',
    ...(holder.since ? [`in a transaction since ${holder.since}`] : []),
  ];
  return `held by pid ${holder.pid} (${about.join(', ')})`;
}
