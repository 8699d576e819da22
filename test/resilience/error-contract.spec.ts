import { PostgresAdapter } from '../../src/adapters/postgres';
import { mapPostgresError } from '../../src/adapters/postgres/postgres-error.mapper';
import { ConnectionException } from '../../src/exceptions';
import { classifyFailure, wasNeverSent, withResilience } from '../../src/resilience';
import { UserRepository } from '../../src/repositories';
import { userInput } from '../repositories/support/billing-fixtures';

describe('the error contract the retry policy reads', () => {
  it('PostgreSQL: a refused connection says details.sent === false, so even an insert is retried', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const real = await PostgresAdapter.open({
      connectionString: 'postgresql://postgres@127.0.0.1:1/none',
      pool: { connectionTimeoutMillis: 1000 },
    });
    const attempts: number[] = [];
    const adapter = withResilience(real, {
      retry: { backoffBaseMs: 1, backoffMaxMs: 2 },
      onRetry: (event) => attempts.push(event.retry),
    });
    try {
      const error = await real.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionException);
      expect((error as ConnectionException).details).toMatchObject({ sent: false });
      expect(wasNeverSent(error)).toBe(true);
      await expect(new UserRepository(adapter).create(userInput())).rejects.toBeInstanceOf(
        ConnectionException,
      );
      expect(attempts).toEqual([1, 2]);
    } finally {
      await adapter.close();
    }
  });

  it('PostgreSQL: a statement timeout says details.timeout; a lost connection leaves sent unknown', () => {
    const timeout = mapPostgresError({
      code: '57014',
      message: 'canceling statement due to statement timeout',
    });
    expect(timeout.details).toMatchObject({ timeout: true });
    expect(classifyFailure(timeout)).toBe('timeout');
    const terminated = mapPostgresError({
      code: '57P01',
      message: 'terminating connection due to administrator command',
    });
    expect(terminated.details?.sent).toBeUndefined();
    expect(classifyFailure(terminated)).toBe('connection');
    expect(wasNeverSent(terminated)).toBe(false);
    const deadClient = mapPostgresError(
      new Error('Client has encountered a connection error and is not queryable'),
    );
    expect(deadClient.details).toMatchObject({ sent: false });
  });
});
