import {
  OptimisticLockException,
  RecordNotFoundException,
  ValidationException,
} from '../../src/exceptions';
import { BaseRepository } from '../../src/repositories';
import { defineTable, usersTable, type EntityOf } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  expectValidation,
  withProvider,
  type RawSql,
} from './conformance-setup';

/** A versioned table of the test's own: the library's tables are not versioned. */
const documentsTable = defineTable({
  name: 'conformance_documents',
  versioned: true,
  timestampPrecision: 'ms',
  columns: {
    slug: { type: 'string', unique: true },
    title: { type: 'string' },
    edits: { type: 'integer' },
  },
});
type Document = EntityOf<typeof documentsTable>;

class DocumentRepository extends BaseRepository<Document> {
  protected readonly table = documentsTable;
}

/** The table as its migration would create it, on the provider's own connection. */
async function createDocumentsTable(raw: RawSql): Promise<void> {
  const postgres = raw.dialect === 'postgres';
  const text = postgres ? 'text COLLATE "C"' : 'TEXT';
  const time = postgres ? 'timestamptz(3)' : 'TEXT';
  await raw.run(`CREATE TABLE conformance_documents (
    id ${postgres ? 'uuid' : 'TEXT'} NOT NULL PRIMARY KEY,
    slug ${text} NOT NULL,
    title ${text} NOT NULL,
    edits ${postgres ? 'integer' : 'INTEGER'} NOT NULL,
    created_at ${time} NOT NULL,
    updated_at ${time} NOT NULL,
    deleted_at ${time},
    version ${postgres ? 'integer' : 'INTEGER'} NOT NULL DEFAULT 1
  )${postgres ? '' : ' STRICT'}`);
  await raw.run(
    'CREATE UNIQUE INDEX conformance_documents_slug_key ON conformance_documents (slug) WHERE deleted_at IS NULL',
  );
}

describe.each(CONFORMANCE_PROVIDERS)('optimistic locking', (provider) => {
  withProvider(provider, (db) => {
    beforeAll(async () => {
      await createDocumentsTable(db.raw!);
    });

    function newDocument(scope: Scope, title = 'Draft'): Promise<Document> {
      return db.adapter.create(
        { slug: `doc-${scope.tag}-${scope.next()}`, title, edits: 0 },
        documentsTable,
      );
    }

    it('starts at version 1 and bumps it on every update, with or without expectedVersion', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      expect(document.version).toBe(1);
      const first = await db.adapter.update(document.id, { title: 'One' }, documentsTable);
      expect(first).toMatchObject({ title: 'One', version: 2 });
      const second = await db.adapter.update(document.id, { title: 'Two' }, documentsTable, {
        expectedVersion: 2,
      });
      expect(second).toMatchObject({ title: 'Two', version: 3 });
      expect(await db.adapter.findById(document.id, documentsTable)).toEqual(second);
    });

    it('refuses an update at another version with the current one, changing nothing', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      await db.adapter.update(document.id, { title: 'Theirs' }, documentsTable);
      for (const expectedVersion of [1, 7]) {
        const error = await caught(() =>
          db.adapter.update(document.id, { title: 'Mine' }, documentsTable, { expectedVersion }),
        );
        expect(error).toBeInstanceOf(OptimisticLockException);
        expect(error).toMatchObject({
          code: 'OPTIMISTIC_LOCK',
          table: documentsTable.name,
          id: document.id,
          expectedVersion,
          currentVersion: 2,
        });
      }
      expect(await db.adapter.findById(document.id, documentsTable)).toMatchObject({
        title: 'Theirs',
        version: 2,
      });
    });

    it('tells a missing or soft-deleted row from a stale version', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      const missing = '00000000-0000-4000-8000-000000000000';
      for (const id of [missing, document.id]) {
        if (id === document.id) await db.adapter.softDelete(id, documentsTable);
        const error = await caught(() =>
          db.adapter.update(id, { title: 'x' }, documentsTable, { expectedVersion: 1 }),
        );
        expect(error).toBeInstanceOf(RecordNotFoundException);
      }
    });

    it('bumps the version on increment, upsert, soft delete and restore, and sets 1 on createMany', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      const incremented = await db.adapter.increment(document.id, 'edits', 1, documentsTable);
      expect(incremented).toMatchObject({ edits: 1, version: 2 });
      const upserted = await db.adapter.upsert(
        { slug: document.slug, title: 'Upserted', edits: 5 },
        documentsTable,
        { conflictField: 'slug', onConflict: 'update' },
      );
      expect(upserted).toMatchObject({ created: false, applied: true, record: { version: 3 } });
      await db.adapter.softDelete(document.id, documentsTable);
      const deleted = await db.adapter.findById(document.id, documentsTable, {
        includeDeleted: true,
      });
      expect(deleted?.version).toBe(4);
      expect((await db.adapter.restore(document.id, documentsTable)).version).toBe(5);
      const many = await db.adapter.createMany(
        [
          { slug: `m1-${scope.tag}`, title: 'a', edits: 0 },
          { slug: `m2-${scope.tag}`, title: 'b', edits: 0 },
        ],
        documentsTable,
      );
      expect(many.map((d) => d.version)).toEqual([1, 1]);
    });

    it('bumps the version of an ordered upsert only when it applies', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      const ordered = (edits: number) =>
        db.adapter.upsert(
          { slug: document.slug, title: `at ${edits}`, edits: edits },
          documentsTable,
          {
            conflictField: 'slug',
            onConflict: 'update',
            orderedBy: 'edits',
          },
        );
      expect(await ordered(3)).toMatchObject({ applied: true, record: { edits: 3, version: 2 } });
      expect(await ordered(2)).toMatchObject({ applied: false, record: { edits: 3, version: 2 } });
      expect(await ordered(3)).toMatchObject({ applied: true, record: { edits: 3, version: 3 } });
    });

    it('lets exactly one of concurrent updates at the same version win', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          db.adapter.update(document.id, { title: `writer ${i}` }, documentsTable, {
            expectedVersion: 1,
          }),
        ),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const error of lost) {
        expect(error).toBeInstanceOf(OptimisticLockException);
        expect((error as OptimisticLockException).currentVersion).toBe(2);
      }
      const stored = await db.adapter.findById(document.id, documentsTable);
      expect(stored).toEqual((won[0] as PromiseFulfilledResult<Document>).value);
    });

    it('counts every one of concurrent updates without expectedVersion', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          db.adapter.update(document.id, { title: `writer ${i}` }, documentsTable),
        ),
      );
      expect((await db.adapter.findById(document.id, documentsTable))?.version).toBe(9);
    });

    it('refuses a bad expectedVersion, one on a table that is not versioned, and a written version, unsent', async () => {
      const scope = new Scope();
      const document = await newDocument(scope);
      for (const expectedVersion of [0, -1, 1.5, '2', null]) {
        await expectValidation(
          () =>
            db.adapter.update(document.id, { title: 'x' }, documentsTable, {
              expectedVersion: expectedVersion as number,
            }),
          'expectedVersion',
        );
      }
      const user = await db.adapter.create(scope.user(), usersTable);
      await expectValidation(
        () => db.adapter.update(user.id, { firstName: 'x' }, usersTable, { expectedVersion: 1 }),
        'expectedVersion',
      );
      const written = await caught(() =>
        db.adapter.update(document.id, { version: 9 } as never, documentsTable),
      );
      expect(written).toBeInstanceOf(ValidationException);
      expect((written as ValidationException).field).toBe('version');
      await expectValidation(
        () =>
          db.adapter.create(
            { slug: `v-${scope.tag}`, title: 'x', edits: 0, version: 3 } as never,
            documentsTable,
          ),
        'version',
      );
      await expectValidation(
        () => db.adapter.increment(document.id, 'version' as never, 1, documentsTable),
        'version',
      );
      expect(await db.adapter.findById(document.id, documentsTable)).toEqual(document);
    });

    it('works through BaseRepository.update', async () => {
      const scope = new Scope();
      const documents = new DocumentRepository(db.adapter);
      const document = await documents.create({
        slug: `repo-${scope.tag}`,
        title: 'Draft',
        edits: 0,
      });
      const saved = await documents.update(document.id, { title: 'Saved' }, { expectedVersion: 1 });
      expect(saved.version).toBe(2);
      await expect(
        documents.update(document.id, { title: 'Stale' }, { expectedVersion: 1 }),
      ).rejects.toBeInstanceOf(OptimisticLockException);
    });
  });
});
