/**
 * The parts of PostgREST's query grammar the adapter writes, read back the way PostgREST reads
 * them (src/library/PostgREST/ApiRequest/QueryParams.hs, docs/references/api/url_grammar.rst):
 * `in.(…)` elements and logic-tree values end at `,` or `)` unless double-quoted, and inside quotes
 * `\` escapes the next character (`pListElement`, `pLogicSingleVal`, `pQuotedValue`).
 */

/** A node of a logic tree: a group of nodes (`not.` negates it), or one `column.operator.value` term. */
export type LogicNode =
  | { op: 'and' | 'or'; children: LogicNode[]; negated?: boolean }
  | { column: string; operator: string; value: string };

/** Reads one value: quoted (with `\` escapes) or up to the next `,` / `)`. */
export function readValue(text: string, start: number): { value: string; end: number } {
  if (text[start] === '"') {
    let value = '';
    let i = start + 1;
    while (text[i] !== '"') {
      if (i >= text.length) throw new Error(`unterminated quote in ${text}`);
      if (text[i] === '\\') i++;
      value += text[i++];
    }
    i++;
    if (i < text.length && text[i] !== ',' && text[i] !== ')')
      throw new Error(`junk after quote in ${text}`);
    return { value, end: i };
  }
  let i = start;
  while (i < text.length && text[i] !== ',' && text[i] !== ')') i++;
  return { value: text.slice(start, i), end: i };
}

/** Parses `(t1,t2,…)` of a logic parameter into terms; throws on anything PostgREST would reject. */
export function parseLogic(text: string, start = 0): { nodes: LogicNode[]; end: number } {
  if (text[start] !== '(') throw new Error(`expected ( at ${start} in ${text}`);
  const nodes: LogicNode[] = [];
  let i = start + 1;
  for (;;) {
    const group = /^(not\.)?(and|or)\(/.exec(text.slice(i));
    if (group) {
      const inner = parseLogic(text, i + group[0].length - 1);
      const negated = group[1] !== undefined;
      nodes.push({ op: group[2] as 'and' | 'or', children: inner.nodes, negated });
      i = inner.end;
    } else {
      const head = /^([a-z_]+)\.([a-z]+)\./.exec(text.slice(i));
      if (!head) throw new Error(`bad term at ${i} in ${text}`);
      const { value, end } = readValue(text, i + head[0].length);
      nodes.push({ column: head[1], operator: head[2], value });
      i = end;
    }
    if (text[i] === ',') i++;
    else if (text[i] === ')') return { nodes, end: i + 1 };
    else throw new Error(`expected , or ) at ${i} in ${text}`);
  }
}

/** Parses `(v1,v2,…)` of an `in.` filter into its values. */
export function parseInList(text: string): string[] {
  const values: string[] = [];
  let i = 1;
  for (;;) {
    const { value, end } = readValue(text, i);
    values.push(value);
    if (text[end] === ')') return values;
    i = end + 1;
  }
}
