import { context, trace, type Span, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** What a test reads of a finished span: its name, parent and attributes. */
export interface SpanNode {
  name: string;
  attributes: ReadableSpan['attributes'];
  children: SpanNode[];
}

/**
 * An OpenTelemetry SDK for one test file: an in-memory exporter behind a tracer provider that is
 * passed to the code under test (never registered globally), and the AsyncLocalStorage context
 * manager, which must be global for `context.with` to carry spans across awaits. Call
 * {@link SpanRecorder.stop} after the file's last test.
 */
export class SpanRecorder {
  readonly exporter = new InMemorySpanExporter();
  readonly provider: TracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.exporter)],
  });
  private readonly contextManager = new AsyncLocalStorageContextManager();

  constructor() {
    context.setGlobalContextManager(this.contextManager.enable());
  }

  /** The spans finished so far. */
  get spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** Forgets the spans finished so far. */
  reset(): void {
    this.exporter.reset();
  }

  /** Runs `work` under a new active span named `name` (an HTTP request's, say) and ends it. */
  async inSpan<R>(name: string, work: (span: Span) => Promise<R>): Promise<R> {
    const tracer = this.provider.getTracer('test');
    return tracer.startActiveSpan(name, async (span) => {
      try {
        return await work(span);
      } finally {
        span.end();
      }
    });
  }

  /** The finished spans as trees, roots first, children in start order. */
  trees(): SpanNode[] {
    const spans = [...this.spans].sort((a, b) => compareTime(a.startTime, b.startTime));
    const nodes = new Map<string, SpanNode>();
    for (const span of spans) {
      nodes.set(span.spanContext().spanId, {
        name: span.name,
        attributes: span.attributes,
        children: [],
      });
    }
    const roots: SpanNode[] = [];
    for (const span of spans) {
      const node = nodes.get(span.spanContext().spanId)!;
      const parent = nodes.get(span.parentSpanContext?.spanId ?? '');
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  /** Unregisters the context manager; spans made afterwards go nowhere. */
  stop(): void {
    this.contextManager.disable();
    context.disable();
    trace.disable();
  }
}

function compareTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** A tree reduced to span names, for `toEqual`: a leaf's name, or `{ name: [children…] }`. */
export type NameTree = string | { [name: string]: NameTree[] };

/** The names of a tree. */
export function nameTree(node: SpanNode): NameTree {
  return node.children.length === 0 ? node.name : { [node.name]: node.children.map(nameTree) };
}
