import { basename } from 'node:path';
import type { Attributes } from '@opentelemetry/api';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import type { ResolvedDatabaseConfig } from '../config/database-options.interface';

/** The attribute names of the OpenTelemetry database semantic conventions this layer sets. */
export const DB_SPAN_ATTRIBUTES = {
  system: 'db.system.name',
  namespace: 'db.namespace',
  collection: 'db.collection.name',
  operation: 'db.operation.name',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  /** Ours: which of the library's providers ran the call (`supabase` means PostgREST over HTTP). */
  provider: 'nest_data_layer.provider',
} as const;

/**
 * `db.system.name` of each provider: PGlite is PostgreSQL compiled to WebAssembly, and Supabase
 * serves PostgreSQL through PostgREST (told apart by {@link DB_SPAN_ATTRIBUTES.provider}).
 */
const SYSTEM_NAMES: Record<DatabaseProvider, string> = {
  sqlite: 'sqlite',
  postgres: 'postgresql',
  pglite: 'postgresql',
  supabase: 'postgresql',
};

/** Where the spans of one connection say its database is; nothing here is ever a secret. */
export interface DatabaseSpanTarget {
  /** `db.namespace`: the database name, or a database file's base name. Default is none. */
  namespace?: string;
  /** `server.address`: the host, for a provider reached over the network. Default is none. */
  serverAddress?: string;
  /** `server.port`, when the address has one. Default is none. */
  serverPort?: number;
}

/** The attributes every span of a connection carries, built once per layer. */
export function connectionAttributes(
  provider: DatabaseProvider,
  target: DatabaseSpanTarget = {},
): Attributes {
  const attributes: Attributes = {
    [DB_SPAN_ATTRIBUTES.system]: SYSTEM_NAMES[provider],
    [DB_SPAN_ATTRIBUTES.provider]: provider,
  };
  if (target.namespace) attributes[DB_SPAN_ATTRIBUTES.namespace] = target.namespace;
  if (target.serverAddress) attributes[DB_SPAN_ATTRIBUTES.serverAddress] = target.serverAddress;
  if (target.serverPort !== undefined)
    attributes[DB_SPAN_ATTRIBUTES.serverPort] = target.serverPort;
  return attributes;
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
function serverOf(url: URL | undefined): DatabaseSpanTarget {
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
 * Where the spans of the connection the configuration opened say its database is: the database
 * name and host of a PostgreSQL URL (never its user or password), a SQLite or PGlite file's base
 * name (never its directories), the Supabase project's host. `provider` is the one in use, so a
 * fallback to SQLite is described as SQLite.
 */
export function spanTargetOf(
  provider: DatabaseProvider,
  config: Pick<ResolvedDatabaseConfig, 'postgres' | 'supabase' | 'sqlite' | 'pglite'>,
): DatabaseSpanTarget {
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
