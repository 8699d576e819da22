import {
  looksLikeTransactionPooler,
  resolvePostgresOptions,
  useNamedStatements,
} from '../../src/adapters/postgres';

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
  });

  it('fills in the documented defaults', () => {
    expect(resolvePostgresOptions({ connectionString: direct })).toEqual({
      connectionString: direct,
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      statementTimeoutMs: 30_000,
      namedStatements: true,
      applicationName: 'nest-data-layer',
      ssl: undefined,
    });
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
  });
});
