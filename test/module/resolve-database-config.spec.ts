import { trace } from '@opentelemetry/api';
import { DATABASE_DEFAULTS, isDatabaseProvider, resolveDatabaseConfig } from '../../src/config';
import { problemsOf } from './config-problems';

const supabaseEnv = { SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_ANON_KEY: 'anon' };

describe('resolveDatabaseConfig', () => {
  it('defaults to supabase when DATABASE_PROVIDER is unset', () => {
    const config = resolveDatabaseConfig({ env: supabaseEnv });
    expect(config.provider).toBe('supabase');
    expect(config.supabase).toMatchObject({
      url: 'https://abc.supabase.co',
      key: 'anon',
      anonKey: 'anon',
    });
    expect(config.fallback).toBe('sqlite');
    expect(config.probe).toEqual({
      timeoutMs: DATABASE_DEFAULTS.probeTimeoutMs,
      retries: DATABASE_DEFAULTS.probeRetries,
      backoffMs: DATABASE_DEFAULTS.probeBackoffMs,
    });
    expect(config.sqlite).toEqual({ path: './data/database.sqlite', synchronous: 'NORMAL' });
  });

  it('turns tracing on by default, off by option or DATABASE_TRACING, and keeps a given provider', () => {
    expect(resolveDatabaseConfig({ env: supabaseEnv }).tracing).toEqual({});
    expect(resolveDatabaseConfig({ env: supabaseEnv, tracing: false }).tracing).toBeNull();
    expect(
      resolveDatabaseConfig({ env: { ...supabaseEnv, DATABASE_TRACING: 'false' } }).tracing,
    ).toBeNull();
    const tracerProvider = trace.getTracerProvider();
    expect(
      resolveDatabaseConfig({ env: supabaseEnv, tracing: { tracerProvider } }).tracing,
    ).toEqual({ tracerProvider });
  });

  it('turns resilience on by default and reads its settings from the environment', () => {
    const on = resolveDatabaseConfig({ env: supabaseEnv });
    expect(on.resilience).toMatchObject({
      retry: { connectionAttempts: 3 },
      circuitBreaker: { failureThreshold: 5, cooldownMs: 10_000 },
    });
    const tuned = resolveDatabaseConfig({
      env: {
        ...supabaseEnv,
        DATABASE_RETRY_ATTEMPTS: '5',
        DATABASE_CIRCUIT_THRESHOLD: '2',
        DATABASE_CIRCUIT_COOLDOWN_MS: '500',
      },
    });
    expect(tuned.resilience).toMatchObject({
      retry: { connectionAttempts: 5 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 500 },
    });
    expect(
      resolveDatabaseConfig({ env: { ...supabaseEnv, DATABASE_RESILIENCE: 'false' } }).resilience,
    ).toBeNull();
    expect(resolveDatabaseConfig({ env: supabaseEnv, resilience: false }).resilience).toBeNull();
    expect(
      problemsOf(() =>
        resolveDatabaseConfig({ env: { ...supabaseEnv, DATABASE_CIRCUIT_THRESHOLD: '0' } }),
      ),
    ).toEqual(['DATABASE_CIRCUIT_THRESHOLD=0 must be an integer of at least 1']);
  });

  it('prefers the service key for the probe when both keys are set', () => {
    const config = resolveDatabaseConfig({
      env: { ...supabaseEnv, SUPABASE_SERVICE_KEY: 'service' },
    });
    expect(config.supabase).toMatchObject({
      key: 'service',
      anonKey: 'anon',
      serviceKey: 'service',
    });
  });

  it('reads every setting from the environment', () => {
    const config = resolveDatabaseConfig({
      env: {
        DATABASE_PROVIDER: 'Postgres',
        DATABASE_URL: 'postgresql://u@localhost/db',
        DATABASE_POOL_MAX: '4',
        SQLITE_PATH: '/tmp/x.sqlite',
        SQLITE_SYNCHRONOUS: 'full',
        DATABASE_FALLBACK: 'none',
        DATABASE_PROBE_TIMEOUT_MS: '750',
        DATABASE_PROBE_RETRIES: '0',
        DATABASE_MIGRATE: 'false',
        DATABASE_MAX_PAGE_SIZE: '50',
        DATABASE_TRANSACTION_TIMEOUT_MS: '1500',
        DATABASE_SLOW_QUERY_MS: '20',
        DATABASE_HEALTH_LATENCY_MS: '300',
        DATABASE_LOG_QUERIES: 'true',
      },
    });
    expect(config).toMatchObject({
      provider: 'postgres',
      postgres: { connectionString: 'postgresql://u@localhost/db', poolMax: 4 },
      sqlite: { path: '/tmp/x.sqlite', synchronous: 'FULL' },
      fallback: 'none',
      probe: { timeoutMs: 750, retries: 0 },
      migrate: false,
      maxPageSize: 50,
      transactionTimeoutMs: 1500,
      metrics: { slowQueryThresholdMs: 20 },
      health: { latencyThresholdMs: 300 },
      logQueries: true,
    });
  });

  it('lets options win over the environment', () => {
    const config = resolveDatabaseConfig({
      provider: 'sqlite',
      sqlite: { path: ':memory:' },
      env: { DATABASE_PROVIDER: 'supabase', SQLITE_PATH: '/elsewhere.sqlite' },
    });
    expect(config.provider).toBe('sqlite');
    expect(config.sqlite.path).toBe(':memory:');
    expect(config.supabase).toBeNull();
  });

  it('turns the fallback off by default in production, and never logs queries there', () => {
    const config = resolveDatabaseConfig({
      env: { ...supabaseEnv, NODE_ENV: 'production', DATABASE_LOG_QUERIES: 'true' },
    });
    expect(config.production).toBe(true);
    expect(config.fallback).toBe('none');
    expect(config.logQueries).toBe(false);
    const explicit = resolveDatabaseConfig({
      env: { ...supabaseEnv, NODE_ENV: 'production', DATABASE_FALLBACK: 'sqlite' },
    });
    expect(explicit.fallback).toBe('sqlite');
  });

  it('rejects an unknown provider', () => {
    expect(
      problemsOf(() => resolveDatabaseConfig({ env: { DATABASE_PROVIDER: 'mysql' } })),
    ).toEqual(['DATABASE_PROVIDER=mysql is not one of supabase, sqlite, postgres, pglite']);
  });

  it('names every problem in one exception', () => {
    const problems = problemsOf(() =>
      resolveDatabaseConfig({
        env: {
          DATABASE_PROVIDER: 'supabase',
          DATABASE_FALLBACK: 'maybe',
          DATABASE_PROBE_TIMEOUT_MS: '-5',
          SQLITE_SYNCHRONOUS: 'sometimes',
          DATABASE_MIGRATE: 'perhaps',
        },
      }),
    );
    expect(problems).toEqual([
      'DATABASE_PROVIDER=supabase needs SUPABASE_URL',
      'DATABASE_PROVIDER=supabase needs SUPABASE_ANON_KEY or SUPABASE_SERVICE_KEY',
      'SQLITE_SYNCHRONOUS=sometimes is not one of OFF, NORMAL, FULL, EXTRA',
      'DATABASE_FALLBACK=maybe is not one of sqlite, none',
      'DATABASE_PROBE_TIMEOUT_MS=-5 must be a whole number of milliseconds from 1 to 2147483647',
      'DATABASE_MIGRATE=perhaps must be true or false',
    ]);
  });

  it('checks URL shapes without echoing a connection string', () => {
    expect(
      problemsOf(() => resolveDatabaseConfig({ env: { ...supabaseEnv, SUPABASE_URL: 'abc' } })),
    ).toEqual(['SUPABASE_URL must be an http(s) URL']);
    const problems = problemsOf(() =>
      resolveDatabaseConfig({
        env: { DATABASE_PROVIDER: 'postgres', DATABASE_URL: 'mysql://u:secret@h/db' },
      }),
    );
    expect(problems).toEqual(['DATABASE_URL must start with postgresql:// or postgres://']);
    expect(problems.join()).not.toContain('secret');
  });

  it('postgres needs DATABASE_URL', () => {
    expect(
      problemsOf(() => resolveDatabaseConfig({ env: { DATABASE_PROVIDER: 'postgres' } })),
    ).toEqual(['DATABASE_PROVIDER=postgres needs DATABASE_URL']);
  });

  it('treats empty environment values as unset', () => {
    expect(
      resolveDatabaseConfig({ env: { DATABASE_PROVIDER: '', ...supabaseEnv, SQLITE_PATH: ' ' } })
        .sqlite.path,
    ).toBe('./data/database.sqlite');
  });

  it('isDatabaseProvider accepts exactly the known providers', () => {
    for (const known of ['supabase', 'sqlite', 'postgres', 'pglite']) {
      expect(isDatabaseProvider(known)).toBe(true);
    }
    for (const other of ['sqlit', 'SQLite', '', undefined, 1, {}]) {
      expect(isDatabaseProvider(other)).toBe(false);
    }
  });
});
