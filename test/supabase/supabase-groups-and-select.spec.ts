/**
 * Boolean groups and projection at the fetch boundary: `or`/`not` as PostgREST logic trees
 * (`or=(…)`, nested `and(…)`/`or(…)`, `not.and(…)`) with every value double-quoted and `\`/`"`
 * escaped (`pLogicTree`, `pQuotedValue`; docs/references/api/url_grammar.rst), and `select` as the
 * `select=` column list.
 */
import { ValidationException } from '../../src/exceptions';
import { fakeAdapter, filterParams, NOTE_ID, notesTable, ok } from './support/fake-postgrest';
import { parseLogic, type LogicNode } from './support/postgrest-grammar';

describe('Supabase boolean groups', () => {
  it.each([
    [
      'an or of two filters',
      { or: [{ title: 'A' }, { stars: { gt: 2 } }] },
      [['or', '(title.eq."A",stars.gt."2")']],
    ],
    [
      'a branch of several filters as and(…)',
      { or: [{ title: 'A' }, { stars: { gte: 2 }, body: null }] },
      [['or', '(title.eq."A",and(stars.gte."2",body.is.null))']],
    ],
    [
      'an or beside other filters (ANDed)',
      { pinned: true, or: [{ title: { like: 'A%' } }, { body: { isNull: false } }] },
      [
        ['pinned', 'eq.true'],
        ['or', '(title.like."A%",body.not.is.null)'],
      ],
    ],
    ['a not', { not: { title: 'A' } }, [['or', '(not.and(title.eq."A"))']]],
    [
      'a not of several filters',
      { not: { title: 'A', stars: { lt: 5 } } },
      [['or', '(not.and(title.eq."A",stars.lt."5"))']],
    ],
    [
      'a not around an or',
      { not: { or: [{ title: 'A' }, { title: 'B' }] } },
      [['or', '(not.and(or(title.eq."A",title.eq."B")))']],
    ],
    [
      'an or holding a not and an or',
      { or: [{ not: { stars: [1, 2] } }, { title: 'A', or: [{ stars: 3 }, { body: 'x' }] }] },
      [['or', '(not.and(stars.in.("1","2")),and(title.eq."A",or(stars.eq."3",body.eq."x")))']],
    ],
    [
      'a search inside a group',
      { or: [{ search: 'hi' }, { stars: 1 }] },
      [['or', '(or(title.ilike."%hi%",body.ilike."%hi%"),stars.eq."1")']],
    ],
    [
      'a timestamp inside a group, as its millisecond',
      { or: [{ remindAt: '2024-05-01T12:00:00.000Z' }, { stars: 1 }] },
      [
        [
          'or',
          '(and(remind_at.gte."2024-05-01T12:00:00.000Z",remind_at.lt."2024-05-01T12:00:00.001Z"),stars.eq."1")',
        ],
      ],
    ],
    [
      'hostile values double-quoted, with " and \\ escaped',
      { or: [{ title: 'a,b)' }, { title: 'x"y\\z' }, { not: { title: 'or=(' } }] },
      [['or', '(title.eq."a,b)",title.eq."x\\"y\\\\z",not.and(title.eq."or=("))']],
    ],
    [
      'an or with one possible branch, as a plain filter',
      { or: [{ stars: [] }, { title: 'A' }] },
      [['title', 'eq.A']],
    ],
  ])('sends %s', async (_name, filters, expected) => {
    expect(await filterParams(filters)).toEqual(expected);
  });

  it('sends no request for an empty or, or a not of nothing', async () => {
    const { adapter, fake } = fakeAdapter();
    expect(await adapter.findMany({ filters: { or: [] } }, notesTable)).toEqual([]);
    expect(await adapter.count({ not: { not: { stars: [] } } }, notesTable)).toBe(0);
    expect(fake.requests).toHaveLength(0);
  });

  /** The values of the terms of a parsed tree, depth first. */
  function values(nodes: readonly LogicNode[]): string[] {
    return nodes.flatMap((n) => ('op' in n ? values(n.children) : [n.value]));
  }

  it.each([
    'a,b)',
    'x"y',
    'back\\slash',
    'trailing\\',
    'or=(id.gt.0',
    '),or(id.gt.0',
    '"),not.and(id.gt.0,title.eq.("',
    'dots.and:colons(',
  ])('keeps the hostile value %j one quoted value in a tree', async (hostile) => {
    const [[key, tree]] = await filterParams({
      or: [{ title: hostile }, { not: { title: hostile, body: { neq: hostile } } }],
    });
    expect(key).toBe('or');
    const { nodes, end } = parseLogic(tree);
    expect(end).toBe(tree.length);
    expect(values(nodes)).toEqual([hostile, hostile, hostile]);
    expect(nodes).toHaveLength(2);
    expect(nodes[1]).toMatchObject({ op: 'and', negated: true });
  });
});

describe('Supabase select', () => {
  it('sends the selected columns as select= and returns rows of just those', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ id: NOTE_ID, remind_at: '2024-05-01T14:00:00+02:00' }]));
    const rows = await adapter.findMany(
      { filters: { pinned: true }, select: ['remindAt', 'id'] },
      notesTable,
    );
    const request = fake.only();
    expect(request.url.search).toBe(
      '?select=id%2Cremind_at&deleted_at=is.null&pinned=eq.true&order=created_at.asc.nullslast%2Cid.asc.nullslast',
    );
    expect(rows).toHaveLength(1);
    expect({ ...rows[0] }).toEqual({ id: NOTE_ID, remindAt: '2024-05-01T12:00:00.000Z' });
  });

  it('selects on findFirst and on offset pages (with the exact count)', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ title: 'A' }]), ok([{ title: 'B' }], 200, '0-0/7'));
    await adapter.findFirst({ select: ['title'] }, notesTable);
    const page = await adapter.findPage(
      { select: ['title'], pagination: { page: 1, limit: 1 } },
      notesTable,
    );
    expect(fake.requests.map((r) => r.url.searchParams.get('select'))).toEqual(['title', 'title']);
    expect(fake.requests[1].headers['prefer']).toContain('count=exact');
    expect(page).toMatchObject({ total: 7, data: [{ title: 'B' }] });
  });

  it('reads the order keys of a cursor page too, and leaves them out of the rows', async () => {
    const { adapter, fake } = fakeAdapter();
    const row = (title: string, stars: number, id: string) => ({ id, title, stars });
    fake.reply(
      ok([
        row('A', 5, '00000000-0000-4000-8000-000000000001'),
        row('B', 4, '00000000-0000-4000-8000-000000000002'),
      ]),
    );
    const page = await adapter.findPage(
      {
        select: ['title'],
        orderBy: { field: 'stars', direction: 'desc' },
        pagination: { after: null, limit: 1 },
      },
      notesTable,
    );
    expect(fake.only().url.searchParams.get('select')).toBe('id,title,stars');
    expect(page.data.map((r) => ({ ...r }))).toEqual([{ title: 'A' }]);
    expect((page as { nextCursor: string | null }).nextCursor).toEqual(expect.any(String));
  });

  it('refuses a sensitive or unknown column before sending anything', async () => {
    const { adapter, fake } = fakeAdapter();
    for (const select of [['secret'], ['title', 'nope'], []]) {
      await expect(adapter.findMany({ select }, notesTable)).rejects.toBeInstanceOf(
        ValidationException,
      );
    }
    expect(fake.requests).toHaveLength(0);
  });
});
