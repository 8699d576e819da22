import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SQLiteAdapter } from '../src/adapters/sqlite';
import { withResilience } from '../src/resilience';
import { usersTable } from '../src/schema';
import { withTracing } from '../src/tracing';
import { FULL_PROFILE, QUICK_PROFILE } from './bench-profile';
import { measure, type Contender } from './measure';
import { seedRow } from './seed-data';
import { seedSqlite } from './sqlite-raw.operations';

/**
 * `npm run -s build:app && node .build/bench/layers.bench.js [--quick]`: what the layers the
 * module puts around an adapter cost on the cheapest call there is, a SQLite `findById` by
 * primary key: the bare adapter, tracing with no OpenTelemetry SDK (the default for an
 * application that registers none), tracing recording into an in-memory exporter, and the
 * module's stack (tracing around resilience) without an SDK.
 */
async function main(): Promise<void> {
  const profile = process.argv.includes('--quick') ? QUICK_PROFILE : FULL_PROFILE;
  const directory = mkdtempSync(join(tmpdir(), 'ndl-bench-layers-'));
  const adapter = await SQLiteAdapter.open({ path: join(directory, 'layers.sqlite') });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  try {
    const rows = Array.from({ length: 1000 }, (_, i) => seedRow(i));
    seedSqlite(adapter.connection, rows);
    const ids = rows.map((row) => row[0]);
    const exporter = new InMemorySpanExporter();
    const recording = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const byId = (layer: typeof adapter | ReturnType<typeof withTracing>): Contender => ({
      run: (i) => layer.findById(ids[i % ids.length], usersTable),
    });
    const noSdk = withTracing(adapter);
    const moduleStack = withTracing(withResilience(adapter));
    const traced = withTracing(adapter, { tracerProvider: recording });
    const contenders = [byId(adapter), byId(noSdk), byId(moduleStack)];
    const withoutSdk = await measure(contenders, profile.settings);
    context.setGlobalContextManager(contextManager);
    const recorded = await measure(
      [
        byId(adapter),
        {
          run: (i) => {
            // Kept from growing: the exporter's memory is not what is measured.
            if (i % 1000 === 0) exporter.reset();
            return traced.findById(ids[i % ids.length], usersTable);
          },
        },
      ],
      profile.settings,
    );
    const row = (name: string, us: number, ratio: number) =>
      `| ${name} | ${us.toFixed(2)} | ${ratio.toFixed(2)} |`;
    const lines = [
      `SQLite findById by primary key, ${profile.name} profile, Node ${process.version}`,
      '',
      '| layers | µs per call | rate vs bare |',
      '| --- | ---: | ---: |',
      row('bare adapter', withoutSdk.microsPerOp[0], 1),
      row('tracing, no SDK registered', withoutSdk.microsPerOp[1], withoutSdk.ratios[1]),
      row('tracing + resilience, no SDK', withoutSdk.microsPerOp[2], withoutSdk.ratios[2]),
      row('tracing, recording (in-memory exporter)', recorded.microsPerOp[1], recorded.ratios[1]),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    contextManager.disable();
    context.disable();
    await adapter.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
