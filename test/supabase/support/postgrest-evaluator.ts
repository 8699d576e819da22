import type { TableDefinition } from '../../../src/schema/table-definition';
import type { RecordedRequest } from './fake-postgrest';
import { parseInList, parseLogic, type LogicNode } from './postgrest-grammar';

/** A row as PostgREST returns it: timestamps as PostgreSQL prints them, microseconds included. */
export type PostgrestJsonRow = Record<string, unknown>;

const TIMESTAMP =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:Z|([+-])(\d\d):(\d\d))$/;

/** An ISO-8601 timestamp (a row's or a filter's) in microseconds since the epoch, exactly. */
export function microseconds(text: string): number {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new Error(`not a timestamp the evaluator reads: ${text}`);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (+m[9] * 60 + +m[10]) * 60_000 : 0;
  return (ms - offset) * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

type Scalar = number | string | boolean | null;

/**
 * Evaluates reads the way PostgREST would run them on PostgreSQL over a table whose timestamptz
 * columns keep microseconds: filters (`col=op.value`, `or=(…)` logic trees), then `order`,
 * `offset` and `limit`. Only what the adapter's reads send is understood; anything else throws,
 * so a test cannot pass by a filter being ignored.
 */
export class PostgrestEvaluator {
  constructor(
    private readonly table: TableDefinition<any>,
    private readonly rows: readonly PostgrestJsonRow[],
  ) {}

  /** The rows a GET answers with. */
  answer(request: RecordedRequest): PostgrestJsonRow[] {
    let rows = [...this.rows];
    let order: string | undefined;
    let limit: number | undefined;
    let offset = 0;
    for (const [key, value] of request.params) {
      if (key === 'select') continue;
      else if (key === 'order') order = value;
      else if (key === 'limit') limit = Number(value);
      else if (key === 'offset') offset = Number(value);
      else if (key === 'or') {
        const { nodes } = parseLogic(value);
        rows = rows.filter((row) => nodes.some((node) => this.holds(node, row)));
      } else {
        const dot = value.indexOf('.');
        const term = { column: key, operator: value.slice(0, dot), value: value.slice(dot + 1) };
        rows = rows.filter((row) => this.holds(term, row));
      }
    }
    if (order) rows.sort((a, b) => this.compareRows(order!, a, b));
    return rows.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  private holds(node: LogicNode, row: PostgrestJsonRow): boolean {
    if ('op' in node) {
      const holds =
        node.op === 'and'
          ? node.children.every((c) => this.holds(c, row))
          : node.children.some((c) => this.holds(c, row));
      // Two-valued: unlike PostgreSQL, `not.` of a comparison with NULL holds here. Tests that
      // evaluate a negated group must keep NULLs out of it.
      return node.negated ? !holds : holds;
    }
    const stored = this.value(node.column, row[node.column]);
    if (node.operator === 'is') return node.value === 'null' && stored === null;
    if (node.operator === 'not') return node.value === 'is.null' && stored !== null;
    if (node.operator === 'in') {
      return parseInList(node.value).some((v) => stored === this.value(node.column, v));
    }
    if (stored === null) return false;
    const operand = this.value(node.column, node.value)!;
    switch (node.operator) {
      case 'eq':
        return stored === operand;
      case 'neq':
        return stored !== operand;
      case 'gt':
        return stored > operand;
      case 'gte':
        return stored >= operand;
      case 'lt':
        return stored < operand;
      case 'lte':
        return stored <= operand;
      default:
        throw new Error(`the evaluator does not know operator ${node.operator}`);
    }
  }

  /** A row's or a filter's value in a form JavaScript compares as PostgreSQL would. */
  private value(column: string, value: unknown): Scalar {
    if (value === null || value === undefined) return null;
    const definition = this.table.columns.find((c) => c.column === column);
    if (!definition) throw new Error(`unknown column ${column}`);
    switch (definition.type) {
      case 'timestamp':
        return microseconds(String(value));
      case 'integer':
        return Number(value);
      case 'boolean':
        return value === true || value === 'true';
      default:
        return String(value);
    }
  }

  private compareRows(order: string, a: PostgrestJsonRow, b: PostgrestJsonRow): number {
    for (const part of order.split(',')) {
      const [column, direction] = part.split('.');
      const x = this.value(column, a[column]);
      const y = this.value(column, b[column]);
      if (x === y) continue;
      // NULLs are larger than every value, as the adapter asks (nullslast / nullsfirst).
      const cmp = x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      return direction === 'desc' ? -cmp : cmp;
    }
    return 0;
  }
}
