import { defineTable, type ColumnOptions } from '../../../src/schema';
import { tableModelOf, type TableModel } from '../../../src/schema-model';

/** The schema model of a table with these columns (and the managed ones). */
export const modelOf = (name: string, columns: Record<string, ColumnOptions>): TableModel =>
  tableModelOf(defineTable({ name, columns } as any));

/** The model of an `invoices` table with these columns. */
export const invoices = (columns: Record<string, ColumnOptions>): TableModel =>
  modelOf('invoices', columns);
