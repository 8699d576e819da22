import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * How long after the cancel request the statement may take to end (with 57014), and how long
 * after it ended the cancel may take to be confirmed. Past either, the connection is destroyed
 * (and in the first case the caller gets the timeout anyway).
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

/** An SQLSTATE 08006 (connection failure) error: what makes release destroy a client. */
function unusable(reason: string): Error {
  return Object.assign(new Error(reason), { code: '08006' });
}

/**
 * Gives the client of a statement that ended after its cancel was sent back to the pool, once
 * that cancel can no longer reach another statement. The server closes the cancel connection
 * after it has signalled the backend, and a backend that is idle by then ignores the signal; a
 * client given back before that would carry the cancel to the next statement run on it. A
 * cancel not confirmed within the grace has an unknown fate, so its client is destroyed.
 */
async function releaseOnceCancelled(
  checkedOut: CheckedOutClient,
  cancelled: Promise<void>,
  outcome: Outcome,
): Promise<void> {
  const confirmed = await Promise.race([
    cancelled.then(() => true),
    sleep(CANCEL_GRACE_MS, false, { ref: false }),
  ]);
  if (confirmed) checkedOut.release(outcome.ok ? undefined : outcome.error);
  else checkedOut.release(unusable('A cancel request was not confirmed in time'));
}

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
  if (settled) {
    checkedOut.release(settled.ok ? undefined : settled.error);
  } else {
    const cancelled = sendCancelRequest(checkedOut.client);
    settled = await Promise.race([outcome, sleep(CANCEL_GRACE_MS, undefined, { ref: false })]);
    if (!settled) {
      // The cancel did not take (unreachable, or a pooler still queueing the statement for a
      // server): answer the caller now and destroy the connection, so nothing reuses it and the
      // pool slot is free.
      checkedOut.release(unusable('A statement outlived its deadline and its cancel request'));
      throw new ConnectionException(
        `The statement passed its ${deadlineMs} ms deadline and the server did not confirm its cancel`,
        { details: { timeout: true } },
      );
    }
    // The caller has its answer now; the client stays checked out until the cancel is done.
    void releaseOnceCancelled(checkedOut, cancelled, settled);
  }
  if (settled.ok) return settled.result;
  throw settled.error;
}
