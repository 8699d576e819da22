import { Logger } from '@nestjs/common';
import { createDatabaseAdapter } from '../../src/adapters/create-database-adapter';
import type { QueryEvent, QueryObserver } from '../../src/adapters/query-observer';
import { ConnectionException } from '../../src/exceptions';
import { resolveDatabaseConfig, type FetchFunction } from '../../src/config';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('create-adapter');
afterAll(() => tmp.cleanup());

class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  override log(): void {}
  override warn(message: string): void {
    this.warnings.push(message);
  }
}

/** A fake Supabase at the fetch level: answers every request with `answer()` and counts them. */
function fakeFetch(answer: () => Response | Promise<Response>): FetchFunction & { calls: number } {
  const fetch = Object.assign(
    async () => {
      fetch.calls += 1;
      return answer();
    },
    { calls: 0 },
  );
  return fetch as unknown as FetchFunction & { calls: number };
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function supabaseConfig(fetch: FetchFunction, env: Record<string, string> = {}) {
  return resolveDatabaseConfig({
    supabase: { fetch },
    probe: { retries: 2, backoffMs: 100 },
    env: {
      SUPABASE_URL: 'http://supabase.test',
      SUPABASE_ANON_KEY: 'anon',
      SQLITE_PATH: tmp.file(),
      ...env,
    },
  });
}

const observer: QueryObserver = { onQuery: (_e: QueryEvent) => undefined };

describe('createDatabaseAdapter', () => {
  it('uses Supabase when the probe succeeds', async () => {
    const fetch = fakeFetch(() => json(200, []));
    const connection = await createDatabaseAdapter(supabaseConfig(fetch), {
      observer,
      logger: new RecordingLogger(),
    });
    try {
      expect(connection).toMatchObject({
        provider: 'supabase',
        configuredProvider: 'supabase',
        fallbackActive: false,
      });
      expect(fetch.calls).toBe(1);
    } finally {
      await connection.adapter.close();
    }
  });

  it('retries an unreachable Supabase with exponential backoff, then falls back to SQLite', async () => {
    const fetch = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    const waits: number[] = [];
    const logger = new RecordingLogger();
    const connection = await createDatabaseAdapter(supabaseConfig(fetch), {
      observer,
      logger,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    try {
      expect(fetch.calls).toBe(3);
      expect(waits).toEqual([100, 200]);
      expect(connection).toMatchObject({
        provider: 'sqlite',
        configuredProvider: 'supabase',
        fallbackActive: true,
      });
      expect(connection.fallbackReason).toMatch(/^unreachable: /);
      expect(logger.warnings.at(-1)).toMatch(
        /^Supabase is unreachable \(unreachable: .*\); falling back to SQLite at /,
      );
    } finally {
      await connection.adapter.close();
    }
  });

  it('does not retry a rejected key, and falls back with that reason', async () => {
    const fetch = fakeFetch(() => json(401, { message: 'Invalid API key' }));
    const waits: number[] = [];
    const connection = await createDatabaseAdapter(supabaseConfig(fetch), {
      observer,
      logger: new RecordingLogger(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    try {
      expect(fetch.calls).toBe(1);
      expect(waits).toEqual([]);
      expect(connection.fallbackReason).toMatch(/^key-rejected: /);
    } finally {
      await connection.adapter.close();
    }
  });

  it('with DATABASE_FALLBACK=none, fails with a ConnectionException naming the setting', async () => {
    const fetch = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    const config = supabaseConfig(fetch, {
      DATABASE_FALLBACK: 'none',
      DATABASE_PROBE_RETRIES: '0',
    });
    config.probe.retries = 0;
    const attempt = createDatabaseAdapter(config, { observer, logger: new RecordingLogger() });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionException);
    await expect(
      createDatabaseAdapter(config, { observer, logger: new RecordingLogger() }),
    ).rejects.toThrow(/and DATABASE_FALLBACK=none turns the SQLite fallback off$/);
  });
});
