import { SupabaseAdapter, type SupabaseAdapterOptions } from '../../../src/adapters/supabase';
import { defineTable, type IBaseEntity } from '../../../src/schema/table-definition';

/**
 * A recording fake `fetch` for supabase-js: each request is recorded and answered with the next
 * canned response, written in PostgREST's wire format (docs.postgrest.org, "Errors" and
 * "Pagination and Count"; PostgREST src/library/PostgREST/Error.hs). It is not a server: it
 * never looks at the request to decide the answer.
 */

/** One request as supabase-js sent it. */
export interface RecordedRequest {
  method: string;
  url: URL;
  /** `/rest/v1/<table>` */
  path: string;
  /** Decoded query parameters in order. */
  params: [string, string][];
  headers: Record<string, string>;
  /** The parsed JSON body, if any. */
  body: unknown;
}

/** A canned answer. */
export type CannedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { networkError: Error }
  /** Never answers; rejects with an AbortError when the request's signal aborts. */
  | { hang: true }
  /** Built from the request, for answers that echo what the adapter made (ids, timestamps). */
  | ((request: RecordedRequest) => CannedResponse);

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

/** A PostgREST error body `{ code, details, hint, message }` with its status. */
export function pgError(
  status: number,
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
): CannedResponse {
  return {
    status,
    body: { code, details, hint, message },
    headers: { 'Proxy-Status': `PostgREST; error=${code}` },
  };
}

/** A 2xx answer with a JSON body and PostgREST's Content-Range. */
export function ok(body: unknown, status = 200, contentRange?: string): CannedResponse {
  const rows = Array.isArray(body) ? body.length : 1;
  const range = contentRange ?? (rows === 0 ? '*/*' : `0-${rows - 1}/*`);
  return { status, body, headers: { 'Content-Range': range } };
}

/** A bodiless answer (HEAD, or a mutation without representation). */
export function empty(status: number, contentRange?: string): CannedResponse {
  return { status, headers: contentRange ? { 'Content-Range': contentRange } : {} };
}

/** A fetch failure as undici raises it (`TypeError: fetch failed`, cause ECONNREFUSED). */
export function connectionRefused(): CannedResponse {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54321'), {
    code: 'ECONNREFUSED',
  });
  return { networkError: new TypeError('fetch failed', { cause }) };
}

/** Records requests and answers them from a queue. */
export class FakePostgrest {
  readonly requests: RecordedRequest[] = [];
  /** Requests that arrived with no canned response left. */
  readonly unexpected: string[] = [];
  private readonly queue: CannedResponse[] = [];

  /** The fetch to pass to supabase-js. */
  readonly fetch = (async (
    input: Parameters<typeof fetch>[0],
    init?: RequestInit,
  ): Promise<Response> => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    );
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const method = init?.method ?? 'GET';
    this.requests.push({
      method,
      url,
      path: url.pathname,
      params: [...url.searchParams.entries()],
      headers,
      body: text === undefined ? undefined : JSON.parse(text),
    });
    const queued = this.queue.shift();
    const canned =
      typeof queued === 'function' ? queued(this.requests[this.requests.length - 1]) : queued;
    if (!canned) {
      this.unexpected.push(`${method} ${url.pathname}${url.search}`);
      return new Response(JSON.stringify({ message: 'no canned response' }), { status: 418 });
    }
    if (typeof canned === 'function')
      throw new Error('a canned response function must return data');
    if ('networkError' in canned) throw canned.networkError;
    if ('hang' in canned) {
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal;
        const abort = () => reject(new DOMException('This operation was aborted', 'AbortError'));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    }
    const hasBody = canned.body !== undefined && method !== 'HEAD';
    return new Response(hasBody ? JSON.stringify(canned.body) : null, {
      status: canned.status,
      headers: { ...(hasBody ? JSON_TYPE : {}), ...canned.headers },
    });
  }) as typeof fetch;

  /** Queues answers for the next requests, in order. */
  reply(...responses: CannedResponse[]): this {
    this.queue.push(...responses);
    return this;
  }

  /** The only request so far; fails when there were more or fewer. */
  only(): RecordedRequest {
    expect(this.requests).toHaveLength(1);
    return this.requests[0];
  }

  /** No answer left unused and no request left unanswered. */
  verify(): void {
    expect(this.unexpected).toEqual([]);
    expect(this.queue).toHaveLength(0);
  }
}

export const URL_BASE = 'https://project-ref.supabase.co';
export const SERVICE_KEY = 'service-role-key';
export const ANON_KEY = 'anon-key';

/** An adapter over a fresh fake, with both keys. */
export function fakeAdapter(options: Partial<SupabaseAdapterOptions> = {}): {
  adapter: SupabaseAdapter;
  fake: FakePostgrest;
} {
  const fake = new FakePostgrest();
  const adapter = new SupabaseAdapter({
    url: URL_BASE,
    serviceKey: SERVICE_KEY,
    anonKey: ANON_KEY,
    fetch: fake.fetch,
    ...options,
  });
  return { adapter, fake };
}

/** A note: one column of every type, a unique field, a sensitive one. */
export interface INote extends IBaseEntity {
  ownerId: string;
  slug: string;
  title: string;
  body?: string | null;
  stars: number;
  pinned: boolean;
  remindAt?: string | null;
  meta: unknown;
  secret?: string | null;
}

/** The entity class rows of {@link notesTable} become. */
export class Note implements INote {
  id!: string;
  createdAt!: string;
  updatedAt!: string;
  deletedAt?: string | null;
  ownerId!: string;
  slug!: string;
  title!: string;
  body?: string | null;
  stars!: number;
  pinned!: boolean;
  remindAt?: string | null;
  meta!: unknown;
  secret?: string | null;
}

/** A soft-delete table with an entity class. */
export const notesTable = defineTable<INote>({
  name: 'notes',
  columns: {
    ownerId: { type: 'uuid' },
    slug: { type: 'string', unique: true },
    title: { type: 'string' },
    body: { type: 'text', nullable: true },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    remindAt: { type: 'timestamp', nullable: true },
    meta: { type: 'json' },
    secret: { type: 'text', nullable: true, sensitive: true },
  },
  searchable: ['title', 'body'],
  entity: Note,
});

/** A tag: no soft delete, plain objects. */
export interface ITag extends IBaseEntity {
  label: string;
}

export const tagsTable = defineTable<ITag>({
  name: 'tags',
  columns: { label: { type: 'string', unique: true } },
  softDelete: false,
});

export const NOTE_ID = '0b5f6c1e-8d4a-4c39-9a57-2f0e4c1d9a10';
export const OWNER_ID = '7d2c9e44-1b3a-4f5e-8c6d-9e0f1a2b3c4d';

/** A notes row as PostgREST prints it (timestamptz with `+00:00`, trailing zeros dropped). */
export function noteRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: NOTE_ID,
    owner_id: OWNER_ID,
    slug: 'first-note',
    title: 'First note',
    body: null,
    stars: 3,
    pinned: true,
    remind_at: '2024-05-01T14:00:00+02:00',
    meta: { tags: ['a'], nested: { n: 1 } },
    secret: null,
    created_at: '2024-01-01T00:00:00.123+00:00',
    updated_at: '2024-01-01T00:00:00.1+00:00',
    deleted_at: null,
    ...overrides,
  };
}

/** A valid create input for notes. */
export function noteInput(overrides: Partial<INote> = {}): Omit<INote, keyof IBaseEntity> {
  return {
    ownerId: OWNER_ID,
    slug: 'first-note',
    title: 'First note',
    stars: 3,
    pinned: true,
    meta: { tags: ['a'] },
    ...overrides,
  };
}

/** Awaits a promise that must reject, and returns the reason. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * The query parameters a findMany on notes with `filters` sends, less select, the soft-delete
 * filter and the order: what is left is the caller's filters.
 */
export async function filterParams(filters: Record<string, unknown>): Promise<[string, string][]> {
  const { adapter, fake } = fakeAdapter();
  fake.reply(ok([]));
  await adapter.findMany({ filters: filters as never }, notesTable);
  return fake
    .only()
    .params.filter(
      ([k, v]) => k !== 'select' && k !== 'order' && !(k === 'deleted_at' && v === 'is.null'),
    );
}
