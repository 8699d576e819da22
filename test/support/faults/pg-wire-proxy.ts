import { connect, createServer, type Server, type Socket } from 'node:net';

/** The codes of the untyped packets a client may send first (protocol 3.0). */
const CANCEL_REQUEST_CODE = 80877102;
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

/** How long a held cancel waits after the next statement arrived, so that statement is running. */
const HELD_CANCEL_LAG_MS = 20;
/** A held cancel is forwarded after this at the latest, so nothing waits on the proxy forever. */
const HELD_CANCEL_LIMIT_MS = 10_000;

/**
 * What the proxy does with a CancelRequest: forward it at once, or hold it until the next
 * statement (a Query or Parse message on any connection) has reached the proxy, then forward it:
 * a cancel that arrives late, as a slow network or a busy pooler can make it.
 */
export type CancelForwarding = 'at-once' | 'after-next-statement';

/** A TCP proxy in front of a PostgreSQL server or a pooler that reads what its clients send. */
export interface PgWireProxy {
  readonly port: number;
  /** `url` with the proxy's host and port: the same user and database, through the proxy. */
  url(url: string): string;
  /** The statement name of every Parse message seen, in order; `''` is an unnamed statement. */
  readonly parsedNames: readonly string[];
  /** CancelRequests received so far. */
  readonly cancelRequests: number;
  /** Connections opened so far that were not CancelRequests. */
  readonly sessions: number;
  cancelForwarding: CancelForwarding;
  close(): Promise<void>;
}

/** Splits a client's byte stream into protocol messages: the untyped start-up ones, then typed. */
function frontendMessages(
  onUntyped: (code: number, packet: Buffer) => void,
  onTyped: (type: string, body: Buffer) => void,
): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let untyped = true;
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (untyped) {
        if (pending.length < 8 || pending.length < pending.readInt32BE(0)) return;
        const length = pending.readInt32BE(0);
        const code = pending.readInt32BE(4);
        onUntyped(code, pending.subarray(0, length));
        pending = pending.subarray(length);
        // After an SSL or GSS request the client sends its start-up packet, untyped again.
        untyped = code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE;
      } else {
        if (pending.length < 5 || pending.length < 1 + pending.readInt32BE(1)) return;
        const length = pending.readInt32BE(1);
        onTyped(String.fromCharCode(pending[0]), pending.subarray(5, 1 + length));
        pending = pending.subarray(1 + length);
      }
    }
  };
}

/** Joins two sockets both ways; either one closing closes the other. */
function splice(client: Socket, upstream: Socket): void {
  upstream.on('data', (chunk) => client.write(chunk));
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}

/**
 * Starts a proxy on a free loopback port forwarding to `upstreamPort` on 127.0.0.1. It records
 * the name of every Parse message (so a test can prove no named statement was sent) and
 * forwards CancelRequests as {@link PgWireProxy.cancelForwarding} says.
 */
export async function startPgWireProxy(upstreamPort: number): Promise<PgWireProxy> {
  const parsedNames: string[] = [];
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  let cancelRequests = 0;
  let sessions = 0;

  const releaseHeldCancels = () => {
    if (held.length === 0) return;
    const due = held.splice(0);
    setTimeout(() => due.forEach((forward) => forward()), HELD_CANCEL_LAG_MS);
  };

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let upstream: Socket | undefined;
    const open = (first: Buffer) => {
      upstream = connect(upstreamPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream!));
      splice(client, upstream);
      upstream.write(first);
    };
    const read = frontendMessages(
      (code, packet) => {
        // Once connected, every byte is forwarded as it came (below); the reader only watches.
        if (upstream) return;
        if (code !== CANCEL_REQUEST_CODE) {
          sessions += 1;
          return open(packet);
        }
        cancelRequests += 1;
        let forwarded = false;
        const forward = () => {
          if (forwarded || client.destroyed) return;
          forwarded = true;
          open(packet);
        };
        if (proxy.cancelForwarding === 'at-once') return forward();
        held.push(forward);
        setTimeout(forward, HELD_CANCEL_LIMIT_MS).unref();
      },
      (type, body) => {
        if (type === 'P') parsedNames.push(body.toString('utf8', 0, body.indexOf(0)));
        if (type === 'Q' || type === 'P' || type === 'B') releaseHeldCancels();
      },
    );
    // A client sends nothing after its first packet before the server answers it, so the first
    // packet is forwarded alone, once it is known not to be a CancelRequest.
    client.on('data', (chunk) => {
      const started = upstream;
      read(chunk);
      started?.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const proxy: PgWireProxy = {
    port,
    url(url) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    parsedNames,
    get cancelRequests() {
      return cancelRequests;
    },
    get sessions() {
      return sessions;
    },
    cancelForwarding: 'at-once',
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
