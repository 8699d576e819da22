/**
 * Streaming on Supabase: cursor pages (GETs with `limit` = batch + 1 and the keyset `or=(…)`),
 * each sent only when the loop reaches it.
 */
import { fakeAdapter, noteRow, notesTable, ok } from './support/fake-postgrest';

const IDS = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000000-0000-4000-8000-000000000003',
];

function row(i: number): Record<string, unknown> {
  return noteRow({ id: IDS[i], slug: `n${i}`, created_at: `2024-01-0${i + 1}T00:00:00+00:00` });
}

describe('Supabase iterate', () => {
  it('reads batch after batch from the last row of the one before', async () => {
    const { adapter, fake } = fakeAdapter();
    // Batches of 2: the first GET finds a third row (look-ahead), so a second GET follows.
    fake.reply(ok([row(0), row(1), row(2)]), ok([row(2)]));
    const slugs: string[] = [];
    for await (const note of adapter.iterate({ filters: { pinned: true } }, notesTable, {
      batchSize: 2,
    })) {
      slugs.push(note.slug);
    }
    expect(slugs).toEqual(['n0', 'n1', 'n2']);
    expect(fake.requests.map((r) => r.params)).toEqual([
      [
        ['select', '*'],
        ['deleted_at', 'is.null'],
        ['pinned', 'eq.true'],
        ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
        ['limit', '3'],
      ],
      [
        ['select', '*'],
        ['deleted_at', 'is.null'],
        ['pinned', 'eq.true'],
        [
          'or',
          // notes timestamps may keep microseconds: the cursor's millisecond is a bucket.
          `(created_at.gte."2024-01-02T00:00:00.001Z",and(created_at.gte."2024-01-02T00:00:00.000Z",created_at.lt."2024-01-02T00:00:00.001Z",id.gt."${IDS[1]}"))`,
        ],
        ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
        ['limit', '3'],
      ],
    ]);
    fake.verify();
  });

  it('sends nothing more once the loop breaks', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([row(0), row(1), row(2)]));
    for await (const note of adapter.iterate({}, notesTable, { batchSize: 2 })) {
      expect(note.slug).toBe('n0');
      break;
    }
    expect(fake.requests).toHaveLength(1);
    fake.verify();
  });
});
