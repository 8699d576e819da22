/**
 * `schema-snapshot.json`: the tables `migrate generate` last wrote migrations for, kept beside
 * the app's migrations and committed with them. The next `generate` diffs the definitions
 * against it. It is read back as strictly as a definition is checked, since its names end up in
 * DDL: a hand edit that breaks it is an error naming the field, never SQL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaChangeException } from './schema-change.exception';
import type { ColumnModel, IndexModel, SchemaSnapshot, TableModel } from './schema-model';

/** The snapshot's file name, in the app's migrations root. */
export const SNAPSHOT_FILE = 'schema-snapshot.json';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const TYPES = ['uuid', 'string', 'text', 'integer', 'boolean', 'timestamp', 'json'];
const ON_DELETE = ['restrict', 'cascade', 'set null'];

type Json = Record<string, unknown>;

class Reader {
  constructor(private readonly source: string) {}

  fail(path: string, what: string): never {
    throw new SchemaChangeException(`${this.source}: ${path} ${what}`, 'SCHEMA_INVALID');
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be an object');
    }
    return value as Json;
  }

  list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value) || value.length === 0) this.fail(path, 'must be a non-empty list');
    return value;
  }

  identifier(value: unknown, path: string): string {
    if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
      this.fail(path, `must be a name matching ${IDENTIFIER}`);
    }
    return value;
  }

  flag(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  column(value: unknown, path: string): ColumnModel {
    const c = this.object(value, path);
    if (!TYPES.includes(c.type as string)) this.fail(`${path}.type`, `must be one of ${TYPES}`);
    const length = c.length;
    if (length !== undefined && (!Number.isSafeInteger(length) || (length as number) < 1)) {
      this.fail(`${path}.length`, 'must be a positive integer');
    }
    if (c.enumValues !== undefined) {
      const values = this.list(c.enumValues, `${path}.enumValues`);
      if (values.some((v) => typeof v !== 'string'))
        this.fail(`${path}.enumValues`, 'must be strings');
    }
    const fallback = c.default;
    const literal =
      fallback === null ||
      typeof fallback === 'string' ||
      typeof fallback === 'boolean' ||
      Number.isSafeInteger(fallback);
    if (fallback !== undefined && !literal) {
      this.fail(`${path}.default`, 'must be a string, a safe integer, a boolean or null');
    }
    if (c.wide !== undefined) this.flag(c.wide, `${path}.wide`);
    if (c.references !== undefined) {
      const ref = this.object(c.references, `${path}.references`);
      this.identifier(ref.table, `${path}.references.table`);
      this.identifier(ref.column, `${path}.references.column`);
      if (!ON_DELETE.includes(ref.onDelete as string)) {
        this.fail(`${path}.references.onDelete`, `must be one of ${ON_DELETE}`);
      }
    }
    this.identifier(c.name, `${path}.name`);
    const nullable = this.flag(c.nullable, `${path}.nullable`);
    this.flag(c.primaryKey, `${path}.primaryKey`);
    if (fallback === null && !nullable)
      this.fail(`${path}.default`, 'is null on a NOT NULL column');
    return c as unknown as ColumnModel;
  }

  index(value: unknown, path: string): IndexModel {
    const i = this.object(value, path);
    this.identifier(i.name, `${path}.name`);
    this.list(i.columns, `${path}.columns`).forEach((c, n) =>
      this.identifier(c, `${path}.columns[${n}]`),
    );
    this.flag(i.unique, `${path}.unique`);
    if (i.where !== undefined && i.where !== 'deleted_at IS NULL') {
      this.fail(`${path}.where`, 'must be "deleted_at IS NULL" when present');
    }
    return i as unknown as IndexModel;
  }

  table(value: unknown, path: string): TableModel {
    const t = this.object(value, path);
    this.identifier(t.name, `${path}.name`);
    this.flag(t.softDelete, `${path}.softDelete`);
    const columns = this.list(t.columns, `${path}.columns`).map((c, n) =>
      this.column(c, `${path}.columns[${n}]`),
    );
    if (new Set(columns.map((c) => c.name)).size !== columns.length) {
      this.fail(`${path}.columns`, 'name a column twice');
    }
    if (!Array.isArray(t.indexes)) this.fail(`${path}.indexes`, 'must be a list');
    (t.indexes as unknown[]).forEach((i, n) => this.index(i, `${path}.indexes[${n}]`));
    return t as unknown as TableModel;
  }
}

/**
 * Checks tables against what DDL may be written from: names are identifiers, types and
 * defaults are known, no table twice. `source` names where they came from in the message.
 */
export function checkTableModels(tables: readonly unknown[], source: string): TableModel[] {
  const reader = new Reader(source);
  const checked = tables.map((t, n) => reader.table(t, `tables[${n}]`));
  const names = checked.map((t) => t.name);
  const twice = names.find((name, n) => names.indexOf(name) !== n);
  if (twice !== undefined) reader.fail('tables', `name ${twice} twice`);
  return checked;
}

/** Parses the text of a snapshot file; throws {@link SchemaChangeException} naming what is wrong. */
export function parseSnapshot(text: string, source = SNAPSHOT_FILE): SchemaSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SchemaChangeException(`${source} is not JSON`, 'SCHEMA_INVALID', { cause: error });
  }
  const reader = new Reader(source);
  const snapshot = reader.object(data, 'the file');
  if (snapshot.version !== 1) reader.fail('version', 'must be 1');
  if (!Array.isArray(snapshot.tables)) reader.fail('tables', 'must be a list');
  return { version: 1, tables: checkTableModels(snapshot.tables as unknown[], source) };
}

/** The snapshot in `<root>/schema-snapshot.json`; no tables when the file does not exist yet. */
export function readSnapshot(root: string): SchemaSnapshot {
  const path = join(root, SNAPSHOT_FILE);
  if (!existsSync(path)) return { version: 1, tables: [] };
  return parseSnapshot(readFileSync(path, 'utf8'), path);
}

/** The file text of a snapshot of these tables: sorted by name, so diffs of it read well. */
export function snapshotText(tables: readonly TableModel[]): string {
  const sorted = [...tables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const snapshot: SchemaSnapshot = { version: 1, tables: sorted };
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}
