import { Pool, type PoolClient, type PoolConfig } from 'pg';

/** Where {@link PostgresPool} notes the connection error a client had (see `guard`). */
const CONNECTION_LOST = Symbol('connectionLost');

/** A pooled client, with the connection error its lifelong listener noted, if any. */
export type GuardedClient = PoolClient & {
  [CONNECTION_LOST]?: unknown;
  /** node-postgres' own flags: false / true once the connection can take no more queries. */
  _queryable?: boolean;
  _ending?: boolean;
};

/** The connection error a client had, or undefined while its connection is sound. */
export function connectionLost(client: PoolClient): unknown {
  return (client as GuardedClient)[CONNECTION_LOST];
}

type ConnectCallback = (
  error: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * node-postgres' pool with a stack of warm clients in front of it. Checking a client out of
 * pg-pool and back costs more CPU than the statement it carries on a fast server (a promise, a
 * queue pulse on `process.nextTick`, a connection-timeout timer set and cleared, an idle timer
 * set and cleared, two events: about 10 µs, a fifth of a point read's client-side CPU). A client
 * the library is done with is kept here instead, still checked out as far as pg-pool knows, and
 * the next statement takes it synchronously.
 *
 * What keeps this sound:
 * - A client goes back to pg-pool, not onto the stack, when someone is waiting for one
 *   (`waitingCount`), when the pool is ending, or when its connection failed; so pg-pool's
 *   `max`, its queue and its connection timeout hold as before.
 * - Everyone else who asks the pool (`connect`, `query`: migrations, health checks, an
 *   application holding `adapter.pool`) gets a warm client first, so a client kept warm never
 *   leaves them waiting.
 * - A client idle on the stack for `idleTimeoutMillis` goes back to pg-pool, whose own idle
 *   timer then closes it: an idle application still lets its connections go, within twice
 *   `idleTimeoutMillis`.
 * - Counts stay pg-pool's: a warm client is counted as idle.
 */
export class PostgresPool extends Pool {
  private readonly warm: GuardedClient[] = [];
  /** When each client of {@link warm} was put there (same index). */
  private readonly warmSince: number[] = [];
  private reaper: NodeJS.Timeout | undefined;
  private readonly idleMs: number;

  constructor(config: PoolConfig) {
    super(config);
    this.idleMs = config.idleTimeoutMillis ?? 10_000;
    // Every client gets an error listener of its own for its whole life. pg-pool listens only
    // while a client is idle and removes its listener as it hands the client out; an error parsed
    // in that same synchronous run (a backend terminated just as its connection opened arrives in
    // the packet that completes it) would be emitted with no listener, which ends the process.
    // The listener notes the error on the client, so a dead connection is never handed out.
    this.on('connect', (client: GuardedClient) =>
      client.on('error', (error) => {
        client[CONNECTION_LOST] = error;
      }),
    );
  }

  /** A warm client with a sound connection, at once; undefined when the stack has none. */
  takeWarm(): PoolClient | undefined {
    while (this.warm.length > 0) {
      const client = this.warm.pop() as GuardedClient;
      this.warmSince.pop();
      const lost = unusable(client);
      if (lost === undefined) return client;
      client.release(lost);
    }
    return undefined;
  }

  /**
   * Takes back a client whose work is done and whose connection is sound: onto the warm stack,
   * or to pg-pool when a caller is waiting for a client or the pool is ending.
   */
  keepWarm(client: PoolClient): void {
    const lost = unusable(client as GuardedClient);
    if (lost !== undefined) return client.release(lost);
    if (this.waitingCount > 0 || this.ending) return client.release();
    this.warm.push(client as GuardedClient);
    this.warmSince.push(Date.now());
    if (this.reaper === undefined && this.idleMs > 0) {
      this.reaper = setInterval(() => this.giveBackIdle(), Math.max(this.idleMs / 2, 10));
      this.reaper.unref();
    }
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<PoolClient> | void {
    const client = this.takeWarm();
    if (client === undefined) {
      return callback ? super.connect(callback as never) : super.connect();
    }
    if (!callback) return Promise.resolve(client);
    // pg-pool answers a callback asynchronously; so does this.
    process.nextTick(() =>
      callback(undefined, client, (release) => client.release(release as never)),
    );
  }

  /** Clients on the warm stack (pg-pool counts them as checked out; `idleCount` adds them). */
  get warmCount(): number {
    return this.warm.length;
  }

  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void): Promise<void> | void {
    this.stopReaper();
    this.giveBackAll();
    return callback ? super.end(callback) : super.end();
  }

  /** Gives pg-pool the clients that stayed on the stack for `idleTimeoutMillis` or more. */
  private giveBackIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    // The stack is last in, first out: the longest idle clients are at its bottom.
    let stale = 0;
    while (stale < this.warm.length && this.warmSince[stale] <= cutoff) stale++;
    const clients = this.warm.splice(0, stale);
    this.warmSince.splice(0, stale);
    for (const client of clients) client.release();
    if (this.warm.length === 0) this.stopReaper();
  }

  private giveBackAll(): void {
    const clients = this.warm.splice(0);
    this.warmSince.length = 0;
    for (const client of clients) client.release();
  }

  private stopReaper(): void {
    if (this.reaper !== undefined) clearInterval(this.reaper);
    this.reaper = undefined;
  }
}

// pg-pool's idleCount is a getter, but pg's types declare it a property, which TypeScript will
// not let a subclass override with an accessor: defined here, it counts warm clients as idle.
const pgPoolIdleCount = inheritedGetter(Pool.prototype, 'idleCount');
Object.defineProperty(PostgresPool.prototype, 'idleCount', {
  configurable: true,
  get(this: PostgresPool): number {
    return (pgPoolIdleCount.call(this) as number) + this.warmCount;
  },
});

function inheritedGetter(prototype: object, name: string): () => unknown {
  for (let at: object | null = prototype; at !== null; at = Object.getPrototypeOf(at) as object) {
    const getter = Object.getOwnPropertyDescriptor(at, name)?.get;
    if (getter) return getter;
  }
  throw new Error(`node-postgres' Pool has no ${name} getter`);
}

/** Why a client can take no more statements (its error, or a stand-in), or undefined. */
function unusable(client: GuardedClient): Error | undefined {
  const lost = client[CONNECTION_LOST];
  if (lost !== undefined) return lost instanceof Error ? lost : new Error(String(lost));
  if (client._queryable === false || client._ending === true) {
    return new Error('The connection is closing');
  }
  return undefined;
}
