import type { Attributes } from '@opentelemetry/api';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import type { DatabaseTarget } from '../config/database-target';

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

/** The attributes every span of a connection carries, built once per layer. */
export function connectionAttributes(
  provider: DatabaseProvider,
  target: DatabaseTarget = {},
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
