import { connect } from 'node:net';
import type { Client, QueryArrayConfig, QueryArrayResult } from 'pg';
import { ConnectionException } from '../../exceptions';
import type { CheckedOutClient } from './postgres-connections';

/** The protocol's CancelRequest code: 1234 in the high 16 bits, 5678 in the low 16 bits. */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * How long the cancel connection may stay open before it is given up. The server (or pooler)
 * closes it itself once the cancel is handled; closing it first is what libpq never does, and
 * PgBouncer 1.18 crashes when a cancel client disconnects before its forwarded cancel is done
 * (pgbouncer#801), so this is generous.
 */
const CANCEL_CONNECTION_LIMIT_MS = 30_000;

/**
 * How long after the cancel request the statement may take to end (with 57014). Past it the
 * caller gets the timeout anyway and the connection is destroyed.
 */
const CANCEL_GRACE_MS = 2_000;

/** The key the server (or PgBouncer, which makes its own per client) sent in BackendKeyData. */
interface BackendKey {
  processID?: number | null;
  secretKey?: number | null;
}

/**
 * Asks the server to cancel whatever `client`'s connection is running: a CancelRequest on a new
 * connection to the same host and port, as libpq's PQcancel sends it (in plain text: it carries
 * only the key). A transaction pooler forwards it to the server connection the client is on.
 * Resolves once the server has closed the cancel connection (or after a long limit); never
 * rejects.
 */
export function sendCancelRequest(client: Client): Promise<void> {
  const { processID, secretKey } = client as unknown as BackendKey;
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return Promise.resolve();
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    const socket = client.host.startsWith('/')
      ? connect(`${client.host}/.s.PGSQL.${client.port}`)
      : connect(client.port, client.host);
    const timer = setTimeout(() => socket.destroy(), CANCEL_CONNECTION_LIMIT_MS).unref();
    // Written, not ended: the other side closes the connection when it is done.
    socket.once('connect', () => socket.write(packet));
    // The server answers nothing: it closes the connection once it has signalled the backend.
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
    socket.resume();
  });
}

type Outcome = { ok: true; result: QueryArrayResult } | { ok: false; error: unknown };

const delay = (ms: number) =>
  new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref());

/**
 * Runs one statement outside a transaction with a client-side deadline, and always releases the
 * client. Behind a pooler the `statement_timeout` startup parameter is refused and a session
 * `SET` would leak to other clients, so this is how a single statement gets the same limit: past
 * `deadlineMs` the server is sent a cancel request, the statement ends with 57014, and the caller
 * gets the same ConnectionException (`details.timeout`) as for a server-side timeout.
 */
export async function queryWithDeadline(
  checkedOut: CheckedOutClient,
  config: QueryArrayConfig,
  deadlineMs: number,
): Promise<QueryArrayResult> {
  const outcome: Promise<Outcome> = checkedOut.client.query(config).then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deadlineMs);
  });
  let settled = await Promise.race([outcome, deadline]);
  clearTimeout(timer);
  if (!settled) {
    // The client is kept until the statement has ended, so the cancel can only reach it.
    void sendCancelRequest(checkedOut.client);
    settled = await Promise.race([outcome, delay(CANCEL_GRACE_MS)]);
  }
  if (settled) {
    checkedOut.release(settled.ok ? undefined : settled.error);
    if (settled.ok) return settled.result;
    throw settled.error;
  }
  // The cancel did not take (unreachable, or a pooler still queueing the statement for a
  // server): answer the caller now and destroy the connection, so nothing reuses it and the pool
  // slot is free. SQLSTATE 08006 (connection failure) is what makes release destroy it.
  checkedOut.release(
    Object.assign(new Error('A statement outlived its deadline and its cancel request'), {
      code: '08006',
    }),
  );
  throw new ConnectionException(
    `The statement passed its ${deadlineMs} ms deadline and the server did not confirm its cancel`,
    { details: { timeout: true } },
  );
}
