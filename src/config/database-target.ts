import { basename } from 'node:path';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import type { ResolvedDatabaseConfig } from './database-options.interface';

/**
 * Where a connection's database is, as logs and spans may say it: nothing here is ever a secret
 * (no user, password, key or directory).
 */
export interface DatabaseTarget {
  /** `db.namespace`: the database name, or a database file's base name. Default is none. */
  namespace?: string;
  /** `server.address`: the host, for a provider reached over the network. Default is none. */
  serverAddress?: string;
  /** `server.port`, when the address has one. Default is none. */
  serverPort?: number;
}

/** A URL's parts, or undefined when it does not parse (the value is never echoed anywhere). */
function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The host and port of a URL: credentials, path and query are left behind. */
function serverOf(url: URL | undefined): DatabaseTarget {
  if (!url?.hostname) return {};
  const port = url.port ? Number(url.port) : undefined;
  return { serverAddress: url.hostname, ...(port !== undefined && { serverPort: port }) };
}

/** A database file's or directory's base name: no directories, which may say too much. */
function fileNamespace(path: string, memory: string): string | undefined {
  if (path === '' || path === memory) return undefined;
  return basename(path) || undefined;
}

/**
 * Where the database of the connection the configuration opened is: the database
 * name and host of a PostgreSQL URL (never its user or password), a SQLite or PGlite file's base
 * name (never its directories), the Supabase project's host. `provider` is the one in use, so a
 * fallback to SQLite is described as SQLite.
 */
export function databaseTargetOf(
  provider: DatabaseProvider,
  config: Pick<ResolvedDatabaseConfig, 'postgres' | 'supabase' | 'sqlite' | 'pglite'>,
): DatabaseTarget {
  switch (provider) {
    case 'sqlite':
      return { namespace: fileNamespace(config.sqlite.path, ':memory:') };
    case 'pglite':
      return { namespace: fileNamespace(config.pglite.path, 'memory://') };
    case 'postgres': {
      const url = parseUrl(config.postgres?.connectionString ?? '');
      const database = url ? decodeURIComponent(url.pathname.replace(/^\//, '')) : '';
      return { ...serverOf(url), ...(database && { namespace: database }) };
    }
    case 'supabase':
      return serverOf(parseUrl(config.supabase?.url ?? ''));
  }
}

/**
 * The database in a few words for the boot log: `database "billing" on db.internal:6432`,
 * `file app.sqlite`, `in memory`, `project abc.supabase.co`.
 */
export function describeDatabaseTarget(provider: DatabaseProvider, target: DatabaseTarget): string {
  const server = target.serverAddress
    ? `${target.serverAddress}${target.serverPort !== undefined ? `:${target.serverPort}` : ''}`
    : undefined;
  if (provider === 'supabase') return server ? `project ${server}` : 'project (no URL)';
  if (provider === 'postgres') {
    const name = target.namespace ? `database "${target.namespace}"` : 'the default database';
    return server ? `${name} on ${server}` : name;
  }
  return target.namespace ? `file ${target.namespace}` : 'in memory';
}
