import { ValidationException } from '../exceptions';
import type { IBaseEntity, TableDefinition } from '../schema/table-definition';

/**
 * A raw statement as a tagged template gave it: the literal text around the values, and the
 * values. The text is code the caller wrote; the values are only ever bound as parameters.
 */
export class SqlQuery {
  /** The literal pieces: one more than there are values. */
  readonly strings: readonly string[];
  readonly values: readonly unknown[];

  constructor(strings: TemplateStringsArray, values: readonly unknown[]) {
    // A template's strings carry `raw`; a plain array or string (text built from input) does not.
    if (!Array.isArray(strings) || !Array.isArray((strings as TemplateStringsArray).raw)) {
      throw new ValidationException(
        'sql must be used as a tagged template: sql`SELECT … WHERE x = ${value}`',
        'sql',
      );
    }
    if (strings.length !== values.length + 1 || strings.some((s) => typeof s !== 'string')) {
      throw new ValidationException('sql: malformed template', 'sql');
    }
    this.strings = Object.freeze([...strings]);
    this.values = Object.freeze([...values]);
  }

  /** The text with each value replaced by `placeholder(i)` (i from 1). */
  text(placeholder: (index: number) => string): string {
    let text = this.strings[0];
    for (let i = 1; i < this.strings.length; i++) text += placeholder(i) + this.strings[i];
    return text;
  }
}

/** A raw SQL template tag (see {@link IDatabaseAdapter.sql}). */
export interface SqlTag {
  /** The rows as objects keyed by column name, values as the driver returns them. */
  // NoInfer: the row type is the one given, never guessed from what the result is assigned to.
  <Row = Record<string, unknown>>(
    strings: TemplateStringsArray,
    ...values: readonly unknown[]
  ): Promise<NoInfer<Row>[]>;
  /**
   * A tag whose rows become `table`'s entities: each column named like one of the table's
   * (snake_case) becomes its property, with the same value mapping as reads; other columns are kept
   * under their own name, as the driver returns them.
   */
  map<T extends IBaseEntity>(
    table: TableDefinition<T>,
  ): <Row = T>(
    strings: TemplateStringsArray,
    ...values: readonly unknown[]
  ) => Promise<NoInfer<Row>[]>;
}

/** What a tag runs its queries through: an adapter's (or a layer's) `runSql`. */
interface SqlRunner {
  runSql<Row>(query: SqlQuery, table?: TableDefinition<any>): Promise<Row[]>;
}

/**
 * The `sql` tag of an adapter or a layer: it builds a {@link SqlQuery} and hands it to the
 * runner's `runSql`, looked up at each call so a layer's own wrapping of it applies.
 */
export function sqlTag(runner: SqlRunner): SqlTag {
  const run = <Row>(
    table: TableDefinition<any> | undefined,
    strings: TemplateStringsArray,
    values: readonly unknown[],
  ): Promise<Row[]> => {
    let query: SqlQuery;
    try {
      query = new SqlQuery(strings, values);
    } catch (error) {
      return Promise.reject(error);
    }
    return runner.runSql<Row>(query, table);
  };
  const tag = (<Row>(strings: TemplateStringsArray, ...values: readonly unknown[]) =>
    run<Row>(undefined, strings, values)) as SqlTag;
  tag.map =
    <T extends IBaseEntity>(table: TableDefinition<T>) =>
    <Row = T>(strings: TemplateStringsArray, ...values: readonly unknown[]) =>
      run<Row>(table, strings, values);
  return tag;
}
