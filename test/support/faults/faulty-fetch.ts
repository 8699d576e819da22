/** What one request gets from {@link faultyFetch}. */
export type FetchFault =
  /** An HTTP answer with this status and a PostgREST-style JSON body. */
  | { status: number; body?: unknown }
  /** The connection was reset or refused: rejects like undici's `TypeError: fetch failed`. */
  | { network: 'ECONNRESET' | 'ECONNREFUSED' }
  /** Never answers; rejects with an AbortError once the request's signal aborts. */
  | { hang: true };

/** A fake `fetch` for supabase-js that plays a script of faults, then answers with `fallback`. */
export interface FaultyFetch {
  fetch: typeof fetch;
  /** Every requested URL, in order. */
  urls: URL[];
  /** Requests per HTTP method. */
  methods: string[];
}

function networkError(code: string): TypeError {
  const cause = Object.assign(new Error(`read ${code}`), { code, errno: -104, syscall: 'read' });
  return new TypeError('fetch failed', { cause });
}

function answer(status: number, body: unknown, method: string): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (status < 300)
    headers['Content-Range'] =
      Array.isArray(body) && body.length > 0 ? `0-${body.length - 1}/*` : '*/*';
  return new Response(method === 'HEAD' || body === undefined ? null : JSON.stringify(body), {
    status,
    headers,
  });
}

/**
 * Builds a fetch that answers the next requests with `script` (one fault per request, in order)
 * and every later request with `fallback` (by default `200 []`). Only the fetch boundary is faked;
 * supabase-js and the adapter run for real.
 */
export function faultyFetch(
  script: readonly FetchFault[],
  fallback: (request: { method: string; url: URL; body: unknown }) => FetchFault = () => ({
    status: 200,
    body: [],
  }),
): FaultyFetch {
  const queue = [...script];
  const urls: URL[] = [];
  const methods: string[] = [];
  const fake = (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const method = (init?.method ?? 'GET').toUpperCase();
    urls.push(url);
    methods.push(method);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const fault = queue.shift() ?? fallback({ method, url, body });
    if ('network' in fault) return Promise.reject(networkError(fault.network));
    if ('hang' in fault) {
      return new Promise((_resolve, reject) => {
        const signal = init?.signal;
        const abort = () => reject(new DOMException('This operation was aborted', 'AbortError'));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    }
    return Promise.resolve(answer(fault.status, fault.body, method));
  };
  return { fetch: fake as typeof fetch, urls, methods };
}
