/**
 * Boolean groups and projection at the fetch boundary: `or`/`not` as PostgREST logic trees
 * (`or=(…)`, nested `and(…)`/`or(…)`, `not.and(…)`) with every value double-quoted and `\`/`"`
 * escaped (`pLogicTree`, `pQuotedValue`; docs/references/api/url_grammar.rst), and `select` as the
 * `select=` column list.
 */
import { fakeAdapter, filterParams, notesTable } from './support/fake-postgrest';
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
