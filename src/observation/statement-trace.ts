import { AsyncLocalStorage } from 'node:async_hooks';

/** The statements one observed operation sent, with their values redacted. */
export class StatementTrace {
  private readonly texts: string[] = [];
  private readonly values: unknown[] = [];

  /** Notes a statement as sent and its bound values (sensitive ones already redacted). */
  add(text: string, values: readonly unknown[]): void {
    this.texts.push(text);
    for (const value of values) this.values.push(value);
  }

  /** The statements joined as one text, or undefined when none was sent. */
  get statement(): string | undefined {
    return this.texts.length === 0 ? undefined : this.texts.join(';\n');
  }

  get params(): readonly unknown[] {
    return this.values;
  }
}

/**
 * Carries the trace of the observed operation running in an async flow down to the adapter that
 * sends its statements. It holds no data of its own: each flow sees only the trace its observed
 * call opened, and a flow with no observer wanting statements sees none.
 */
const traces = new AsyncLocalStorage<StatementTrace>();

/** Runs `work` with `trace` collecting the statements it sends. */
export function collectStatements<R>(trace: StatementTrace, work: () => R): R {
  return traces.run(trace, work);
}

/**
 * The trace statements of the calling flow go to, if an observer asked for them. Adapters call
 * it once per statement; without a trace it costs one context lookup.
 */
export function statementTrace(): StatementTrace | undefined {
  return traces.getStore();
}
