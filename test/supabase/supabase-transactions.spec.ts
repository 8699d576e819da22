/**
 * Declarative transactions on Supabase, at the fetch boundary: PostgREST runs each HTTP request in
 * a transaction of its own, so a propagation that needs a transaction spanning calls is refused
 * before any request, naming the ways out, and NEVER / SUPPORTS run their work without one, its
 * requests sent as they always are.
 */
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { getDatabaseAdapterToken } from '../../src/database.tokens';
import { TransactionNotSupportedException, ValidationException } from '../../src/exceptions';
import { withObservation } from '../../src/observation/observed.adapter';
import { withResilience } from '../../src/resilience';
import {
  afterCommit,
  afterRollback,
  Transactional,
  type TransactionPropagation,
} from '../../src/transactions';
import {
  fakeAdapter,
  noteInput,
  noteRow,
  notesTable,
  ok,
  rejection,
} from './support/fake-postgrest';

describe('SupabaseAdapter transaction(work, options)', () => {
  it.each<TransactionPropagation | undefined>([undefined, 'REQUIRED', 'REQUIRES_NEW', 'MANDATORY'])(
    'refuses propagation %s with TransactionNotSupportedException naming the ways out, before any request',
    async (propagation) => {
      const { adapter, fake } = fakeAdapter();
      let ran = false;
      const error = await rejection(
        adapter.transaction(
          async () => {
            ran = true;
          },
          propagation ? { propagation } : undefined,
        ),
      );
      expect(error).toBeInstanceOf(TransactionNotSupportedException);
      const message = (error as Error).message;
      expect(message).toContain(propagation ?? 'REQUIRED');
      expect(message).toMatch(/DATABASE_URL/);
      expect(message).toMatch(/rpc\(/);
      expect(message).toMatch(/SUPPORTS/);
      expect(ran).toBe(false);
      expect(fake.requests).toHaveLength(0);
    },
  );

  it.each<TransactionPropagation>(['NEVER', 'SUPPORTS'])(
    'runs the work of %s without a transaction: its requests as usual, its result and error as they are',
    async (propagation) => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(ok(noteRow(), 201));
      const events: string[] = [];
      const created = await adapter.transaction(
        async () => {
          const note = await adapter.create(noteInput(), notesTable);
          afterCommit(() => events.push('at once'));
          afterRollback(() => events.push('never'));
          return note;
        },
        { propagation, isolation: 'serializable' },
      );
      expect(created.slug).toBe('first-note');
      expect(events).toEqual(['at once']);
      const request = fake.only();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/rest/v1/notes');
      fake.verify();

      const boom = new Error('boom');
      expect(
        await rejection(adapter.transaction(async () => Promise.reject(boom), { propagation })),
      ).toBe(boom);
    },
  );

  it('refuses unknown options with a ValidationException, before any request', async () => {
    const { adapter, fake } = fakeAdapter();
    const error = await rejection(
      adapter.transaction(async () => 1, { propagation: 'NESTED' as never }),
    );
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).field).toBe('propagation');
    expect(fake.requests).toHaveLength(0);
  });

  it('passes the options through the resilience and observation layers', async () => {
    const { adapter, fake } = fakeAdapter();
    const events: string[] = [];
    const layered = withResilience(
      withObservation(adapter, { onQuery: (event) => events.push(event.operation) }),
    );
    fake.reply(ok([noteRow()]));
    const rows = await layered.transaction(() => layered.findMany({}, notesTable), {
      propagation: 'SUPPORTS',
    });
    expect(rows).toHaveLength(1);
    expect(events).toEqual(['findMany', 'transaction']);
    const refused = await rejection(
      layered.transaction(async () => 1, { propagation: 'MANDATORY' }),
    );
    expect(refused).toBeInstanceOf(TransactionNotSupportedException);
    fake.verify();
  });

  it('gives @Transactional() methods the same answers through Nest', async () => {
    @Injectable()
    class Notes {
      constructor() {}

      @Transactional()
      async required(): Promise<void> {}

      @Transactional({ propagation: 'SUPPORTS' })
      async supports(adapter: IDatabaseAdapter) {
        return adapter.findMany({}, notesTable);
      }
    }
    const { adapter, fake } = fakeAdapter();
    const moduleRef = await Test.createTestingModule({
      providers: [Notes, { provide: getDatabaseAdapterToken(), useValue: adapter }],
    }).compile();
    const notes = moduleRef.get(Notes);
    expect(await rejection(notes.required())).toBeInstanceOf(TransactionNotSupportedException);
    fake.reply(ok([noteRow()]));
    expect(await notes.supports(adapter)).toHaveLength(1);
    fake.verify();
    await moduleRef.close();
  });
});
