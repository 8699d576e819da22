/**
 * Every filter operator as a PostgREST query parameter, and hostile input staying one value.
 *
 * Grammar (PostgREST src/library/PostgREST/ApiRequest/QueryParams.hs, docs/references/api/url_grammar.rst):
 * - `col=op.value`: the value is the rest of the parameter (`pSingleVal`), never split;
 * - `in.(…)` elements and logic-tree values end at `,` or `)` unless double-quoted, and inside
 *   quotes `\` escapes the next character (`pListElement`, `pLogicSingleVal`, `pQuotedValue`;
 *   CHANGELOG 9.0.0 #1938);
 * - like/ilike turn every `*` into `%` (`star` in Query/SqlFragment.hs), so patterns holding a `*`
 *   go out as match/imatch regexes.
 * The small parser below follows those rules to check that a value comes back out whole.
 */
import fc from 'fast-check';
import { containsPattern } from '../../src/query/like-pattern';
import { likeToRegex, quoteValue } from '../../src/adapters/supabase/supabase-query.translator';
import {
  fakeAdapter,
  filterParams,
  noteRow,
  notesTable,
  ok,
  OWNER_ID,
} from './support/fake-postgrest';
import { parseInList, parseLogic, readValue } from './support/postgrest-grammar';

/** A reference LIKE matcher (`%`, `_`, `\` escapes) to check the regex rewrite against. */
function likeMatches(pattern: string, text: string): boolean {
  const tokens: ({ any: true } | { one: true } | { ch: string })[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '%') tokens.push({ any: true });
    else if (ch === '_') tokens.push({ one: true });
    else if (ch === '\\' && i + 1 < pattern.length) tokens.push({ ch: pattern[++i] });
    else tokens.push({ ch });
  }
  const chars = [...text];
  const memo = new Map<string, boolean>();
  const match = (t: number, c: number): boolean => {
    const key = `${t},${c}`;
    if (memo.has(key)) return memo.get(key)!;
    let result: boolean;
    if (t === tokens.length) result = c === chars.length;
    else {
      const token = tokens[t];
      if ('any' in token) result = match(t + 1, c) || (c < chars.length && match(t, c + 1));
      else if (c === chars.length) result = false;
      else if ('one' in token) result = match(t + 1, c + 1);
      else result = token.ch === chars[c] && match(t + 1, c + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

const HOSTILE = [
  'a,b',
  'a)b',
  '(a',
  'say "hi"',
  'back\\slash',
  'star*',
  '100%',
  'snake_case',
  '),or(id.gt.0',
  '%,owner_id.neq.x,title.ilike.%',
  '"),or(id.gt.0,title.eq.("',
  '\\"',
  'trailing\\',
];

describe('Supabase filter translation', () => {
  it.each([
    ['eq', { stars: 3 }, ['stars', 'eq.3']],
    ['eq (operator)', { stars: { eq: 3 } }, ['stars', 'eq.3']],
    ['neq', { stars: { neq: 3 } }, ['stars', 'neq.3']],
    ['gt', { stars: { gt: 3 } }, ['stars', 'gt.3']],
    ['gte', { stars: { gte: 3 } }, ['stars', 'gte.3']],
    ['lt', { stars: { lt: 3 } }, ['stars', 'lt.3']],
    ['lte', { stars: { lte: 3 } }, ['stars', 'lte.3']],
    ['boolean', { pinned: false }, ['pinned', 'eq.false']],
    ['uuid, lower-cased', { ownerId: OWNER_ID.toUpperCase() }, ['owner_id', `eq.${OWNER_ID}`]],
    [
      'timestamp as ISO',
      { remindAt: { lt: new Date(Date.UTC(2024, 4, 1)) } },
      ['remind_at', 'lt.2024-05-01T00:00:00.000Z'],
    ],
    [
      'createdAfter',
      { createdAfter: '2024-01-01T00:00:00Z' },
      ['created_at', 'gte.2024-01-01T00:00:00.001Z'],
    ],
    [
      'createdBefore',
      { createdBefore: '2024-01-01T00:00:00Z' },
      ['created_at', 'lt.2024-01-01T00:00:00.000Z'],
    ],
    ['in (array)', { slug: ['a', 'b'] }, ['slug', 'in.("a","b")']],
    ['in (operator), integers', { stars: { in: [1, 2] } }, ['stars', 'in.("1","2")']],
    ['like', { title: { like: 'Hello%' } }, ['title', 'like.Hello%']],
    ['ilike', { title: { ilike: '%world' } }, ['title', 'ilike.%world']],
    ['null', { body: null }, ['body', 'is.null']],
    ['isNull true', { body: { isNull: true } }, ['body', 'is.null']],
    ['isNull false', { body: { isNull: false } }, ['body', 'not.is.null']],
    ['eq null', { body: { eq: null } }, ['body', 'is.null']],
    ['neq null', { body: { neq: null } }, ['body', 'not.is.null']],
    ['search', { search: 'ada' }, ['or', '(title.ilike."%ada%",body.ilike."%ada%")']],
    ['like with a literal *', { title: { like: 'a*b%' } }, ['title', 'match.^a\\*b.*$']],
    ['ilike with a literal *', { title: { ilike: '_*' } }, ['title', 'imatch.^.\\*$']],
    [
      'search with a literal *',
      { search: '2*3' },
      ['or', '(title.imatch."^.*2\\\\*3.*$",body.imatch."^.*2\\\\*3.*$")'],
    ],
  ])('%s', async (_name, filters, expected) => {
    expect(await filterParams(filters)).toEqual([expected]);
  });

  it('several operators on one field are ANDed as repeated parameters', async () => {
    expect(await filterParams({ stars: { gte: 1, lt: 5 } })).toEqual([
      ['stars', 'gte.1'],
      ['stars', 'lt.5'],
    ]);
  });

  it('search and a cursor are two or= parameters (PostgREST ANDs every logic parameter)', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow(), noteRow({ id: '1b5f6c1e-8d4a-4c39-9a57-2f0e4c1d9a10' })]), ok([]));
    const first = await adapter.findPage(
      { filters: { search: 'x' }, pagination: { limit: 1 } },
      notesTable,
    );
    await adapter.findPage(
      {
        filters: { search: 'x' },
        pagination: { after: (first as { nextCursor: string }).nextCursor, limit: 1 },
      },
      notesTable,
    );
    const ors = fake.requests[1].params.filter(([k]) => k === 'or').map(([, v]) => v);
    expect(ors).toHaveLength(2);
    expect(ors[1]).toMatch(
      /^\(created_at\.gte\."2024-01-01T00:00:00\.124Z",and\(created_at\.gte\./,
    );
  });

  describe.each(HOSTILE)('hostile text %j', (text) => {
    it('search: one quoted value per searchable column, decoding to the escaped pattern', async () => {
      const [[key, value]] = await filterParams({ search: text });
      expect(key).toBe('or');
      const { nodes, end } = parseLogic(value);
      expect(end).toBe(value.length);
      const pattern = containsPattern(text);
      const expected = text.includes('*')
        ? { operator: 'imatch', value: likeToRegex(pattern) }
        : { operator: 'ilike', value: pattern };
      expect(nodes).toEqual([
        { column: 'title', ...expected },
        { column: 'body', ...expected },
      ]);
    });

    it('eq: the whole text after "eq." in one parameter', async () => {
      expect(await filterParams({ title: text })).toEqual([['title', `eq.${text}`]]);
    });

    it('in: each element decodes back whole', async () => {
      const params = await filterParams({ title: [text, 'plain'] });
      expect(params).toHaveLength(1);
      expect(params[0][0]).toBe('title');
      expect(params[0][1].startsWith('in.(')).toBe(true);
      expect(parseInList(params[0][1].slice(3))).toEqual([text, 'plain']);
    });

    it('like: one parameter, and a regex when it holds a *', async () => {
      // A lone trailing \ escapes nothing: the planner refuses it on every provider.
      if (/(^|[^\\])(\\\\)*\\$/.test(text)) {
        await expect(filterParams({ title: { ilike: text } })).rejects.toThrow('lone');
        return;
      }
      const params = await filterParams({ title: { ilike: text } });
      expect(params).toEqual([
        ['title', text.includes('*') ? `imatch.${likeToRegex(text)}` : `ilike.${text}`],
      ]);
    });
  });

  it('the raw URL carries the quotes percent-encoded, so a search text cannot open a new term', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({ filters: { search: '),or(id.gt.0' } }, notesTable);
    const search = fake.only().url.search;
    expect(search).toContain('or=%28title.ilike.%22%25%29%2Cor%28id.gt.0%25%22%2Cbody.ilike.');
  });

  it('property: any text built from grammar characters round-trips through quoting', () => {
    const unit = fc.constantFrom(',', ')', '(', '"', '\\', '*', '%', '_', '.', ' ', 'a', 'é', ':');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        const quoted = quoteValue(text);
        const { value, end } = readValue(`${quoted})`, 0);
        return value === text && end === quoted.length;
      }),
    );
  });

  it('property: the regex rewrite of a LIKE pattern matches exactly what LIKE matches', () => {
    const unit = fc.constantFrom('%', '_', '\\', '*', 'a', 'b', '.', '(', '[', '$', '^', '\n');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 8 }),
        fc.string({ unit, maxLength: 8 }),
        (pattern, text) => {
          const regex = new RegExp(likeToRegex(pattern), 's');
          return regex.test(text) === likeMatches(pattern, text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
