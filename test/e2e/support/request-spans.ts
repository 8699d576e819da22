import { context, trace, type TracerProvider } from '@opentelemetry/api';

/** The parts of Express' request and response a request span needs. */
interface RequestLike {
  method: string;
  path: string;
}
interface ResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * An Express middleware that does what an HTTP instrumentation does: a span per request, active
 * while the request is handled. Its request and response are bound to the span's context, so
 * work resumed from their events (the body parser's) stays under it.
 */
export function requestSpans(provider: TracerProvider) {
  const tracer = provider.getTracer('test-http');
  return (req: RequestLike, res: ResponseLike, next: () => void): void => {
    const span = tracer.startSpan(`${req.method} ${req.path}`);
    const active = trace.setSpan(context.active(), span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
