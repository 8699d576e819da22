import {
  looksLikeTransactionPooler,
  resolvePostgresOptions,
  useNamedStatements,
} from '../../src/adapters/postgres';
import { ValidationException } from '../../src/exceptions';

describe('PostgreSQL adapter options', () => {
  const direct = 'postgresql://postgres:pw@db.abcdef.supabase.co:5432/postgres';
  const session = 'postgres://postgres.abcdef:pw@aws-0-eu-west-1.pooler.supabase.com:5432/postgres';
  const transaction =
    'postgres://postgres.abcdef:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres';

  it('recognises a transaction pooler by port 6543 or a pooler hint in the URL', () => {
    expect(looksLikeTransactionPooler(transaction)).toBe(true);
    expect(looksLikeTransactionPooler(`${direct}?pgbouncer=true`)).toBe(true);
    expect(looksLikeTransactionPooler(`${direct}?prepareThreshold=0`)).toBe(true);
    expect(looksLikeTransactionPooler(`${direct}?statement_cache_size=0`)).toBe(true);
    expect(looksLikeTransactionPooler(direct)).toBe(false);
    expect(looksLikeTransactionPooler(session)).toBe(false);
    expect(looksLikeTransactionPooler(`${direct}?pgbouncer=false`)).toBe(false);
    expect(looksLikeTransactionPooler('host=/var/run/postgresql dbname=app')).toBe(false);
  });

  it('uses named statements in auto mode except behind a transaction pooler; explicit modes win', () => {
    expect(useNamedStatements('auto', direct)).toBe(true);
    expect(useNamedStatements('auto', session)).toBe(true);
    expect(useNamedStatements('auto', transaction)).toBe(false);
    expect(useNamedStatements('named', transaction)).toBe(true);
    expect(useNamedStatements('unnamed', direct)).toBe(false);
    expect(useNamedStatements('auto', direct, 'transaction')).toBe(false);
    expect(useNamedStatements('auto', transaction, 'session')).toBe(true);
  });

  it('fills in the documented defaults', () => {
    expect(resolvePostgresOptions({ connectionString: direct })).toEqual({
      connectionString: direct,
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      statementTimeoutMs: 30_000,
      pooler: 'none',
      namedStatements: true,
      beginStatement: 'BEGIN',
      startupStatementTimeoutMs: 30_000,
      statementDeadlineMs: undefined,
      migrationLockTimeoutMs: 300_000,
      connectWaitMs: undefined,
      transactionTimeoutMs: 30_000,
      applicationName: 'nest-data-layer',
      ssl: undefined,
    });
  });

  it('behind a transaction pooler: no startup parameter, SET LOCAL in BEGIN, a client deadline, no names', () => {
    for (const settings of [
      resolvePostgresOptions({ connectionString: transaction, statementTimeoutMs: 1500 }),
      resolvePostgresOptions({
        connectionString: direct,
        pooler: 'transaction',
        statementTimeoutMs: 1500,
      }),
    ]) {
      expect(settings).toMatchObject({
        pooler: 'transaction',
        namedStatements: false,
        beginStatement: 'BEGIN; SET LOCAL statement_timeout = 1500',
        startupStatementTimeoutMs: undefined,
        statementDeadlineMs: 1500,
      });
    }
    // A session pooler keeps named statements but refuses the startup parameter too.
    expect(resolvePostgresOptions({ connectionString: session, pooler: 'session' })).toMatchObject({
      namedStatements: true,
      startupStatementTimeoutMs: undefined,
      statementDeadlineMs: 30_000,
    });
    // No timeout: nothing to set, nothing to enforce.
    expect(
      resolvePostgresOptions({ connectionString: transaction, statementTimeoutMs: 0 }),
    ).toMatchObject({ beginStatement: 'BEGIN', statementDeadlineMs: undefined });
  });

  it('refuses named statements behind a transaction pooler, and an unknown pooler mode', () => {
    expect(() =>
      resolvePostgresOptions({ connectionString: transaction, preparedStatements: 'named' }),
    ).toThrow(/named.*transaction pooler/);
    expect(() =>
      resolvePostgresOptions({ connectionString: direct, pooler: 'pgbouncer' as never }),
    ).toThrow(/pooler/);
    expect(
      resolvePostgresOptions({
        connectionString: transaction,
        pooler: 'session',
        preparedStatements: 'named',
      }).namedStatements,
    ).toBe(true);
  });

  it('rejects malformed options with a TypeError naming the option', () => {
    expect(() => resolvePostgresOptions({ connectionString: '' })).toThrow(/connectionString/);
    expect(() => resolvePostgresOptions({ connectionString: direct, pool: { max: 0 } })).toThrow(
      /pool\.max/,
    );
    expect(() =>
      resolvePostgresOptions({ connectionString: direct, statementTimeoutMs: -1 }),
    ).toThrow(/statementTimeoutMs/);
    expect(() =>
      resolvePostgresOptions({ connectionString: direct, preparedStatements: 'always' as never }),
    ).toThrow(/preparedStatements/);
    expect(() =>
      resolvePostgresOptions({ connectionString: direct, migrationLockTimeoutMs: -1 }),
    ).toThrow(/migrationLockTimeoutMs/);
    expect(() => resolvePostgresOptions({ connectionString: direct, connectWaitMs: 1.5 })).toThrow(
      /connectWaitMs/,
    );
  });

  it("refuses a millisecond option past 2^31 - 1, setTimeout's and PostgreSQL's limit", () => {
    const tooLong = 2_147_483_648;
    const cases: Array<[string, Parameters<typeof resolvePostgresOptions>[0]]> = [
      ['statementTimeoutMs', { connectionString: transaction, statementTimeoutMs: tooLong }],
      [
        'pool.idleTimeoutMillis',
        { connectionString: direct, pool: { idleTimeoutMillis: tooLong } },
      ],
      [
        'pool.connectionTimeoutMillis',
        { connectionString: direct, pool: { connectionTimeoutMillis: tooLong } },
      ],
      ['migrationLockTimeoutMs', { connectionString: direct, migrationLockTimeoutMs: tooLong }],
      ['connectWaitMs', { connectionString: direct, connectWaitMs: tooLong }],
      ['transactionTimeoutMs', { connectionString: direct, transactionTimeoutMs: tooLong }],
    ];
    for (const [name, options] of cases) {
      expect(() => resolvePostgresOptions(options)).toThrow(
        new RegExp(`${name.replace('.', '\\.')} must be .*2147483647`),
      );
    }
    expect(
      resolvePostgresOptions({ connectionString: transaction, statementTimeoutMs: tooLong - 1 }),
    ).toMatchObject({ statementDeadlineMs: tooLong - 1 });
  });

  it('checks transactionTimeoutMs before anything is opened, as every SQL adapter does', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2_147_483_648]) {
      const attempt = () =>
        resolvePostgresOptions({ connectionString: direct, transactionTimeoutMs: bad });
      expect(attempt).toThrow(ValidationException);
      expect(attempt).toThrow(/transactionTimeoutMs/);
    }
    expect(
      resolvePostgresOptions({ connectionString: direct, transactionTimeoutMs: 1 }),
    ).toMatchObject({ transactionTimeoutMs: 1 });
  });
});
