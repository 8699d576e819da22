/**
 * Spans of Supabase calls: PostgreSQL behind PostgREST, named by the project's host, with nothing
 * of the key, the request or its values; a PostgREST error is an ERROR span with its class.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { databaseTargetOf } from '../../src/config/database-target';
import { withTracing } from '../../src/tracing';
import { nameTree, SpanRecorder } from '../support/span-recorder';
import {
  fakeAdapter,
  NOTE_ID,
  noteRow,
  notesTable,
  ok,
  pgError,
  SERVICE_KEY,
  URL_BASE,
} from './support/fake-postgrest';

const recorder = new SpanRecorder();
afterAll(() => recorder.stop());
beforeEach(() => recorder.reset());

function tracedFake() {
  const { adapter, fake } = fakeAdapter();
  const target = databaseTargetOf('supabase', {
    supabase: { url: URL_BASE, key: SERVICE_KEY },
    postgres: null,
    sqlite: { path: ':memory:', synchronous: 'NORMAL' },
    pglite: { path: 'memory://' },
  });
  return { traced: withTracing(adapter, { tracerProvider: recorder.provider, ...target }), fake };
}

describe('Supabase spans', () => {
  it('are PostgreSQL over PostgREST, at the project’s host, under the caller’s span', async () => {
    const { traced, fake } = tracedFake();
    fake.reply(ok([noteRow()]));
    await recorder.inSpan('GET /notes/:id', () => traced.findById(NOTE_ID, notesTable));
    fake.verify();
    expect(recorder.trees().map(nameTree)).toEqual([{ 'GET /notes/:id': ['findById notes'] }]);
    const span = recorder.spans.find((s) => s.name === 'findById notes')!;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'db.system.name': 'postgresql',
      'nest_data_layer.provider': 'supabase',
      'server.address': 'project-ref.supabase.co',
      'db.collection.name': 'notes',
      'db.operation.name': 'findById',
    });
  });

  it('mark a PostgREST error ERROR with its exception class, and carry no key or value', async () => {
    const { traced, fake } = tracedFake();
    fake.reply(
      pgError(409, '23505', 'duplicate key value violates unique constraint "notes_slug_key"'),
    );
    await expect(
      traced.update(NOTE_ID, { slug: 'secret-slug-value' }, notesTable),
    ).rejects.toThrow();
    const [span] = recorder.spans;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('UniqueConstraintException');
    const text = JSON.stringify(recorder.spans.map((s) => [s.attributes, s.status, s.events]));
    for (const secret of [SERVICE_KEY, 'secret-slug-value', NOTE_ID]) {
      expect(text).not.toContain(secret);
    }
  });
});
