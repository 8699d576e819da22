import { defineTable, type EntityOf } from 'nest-data-layer';

/**
 * The app's one table, declared once: the entity type, the write validation and the migrations
 * all come from here. Every export of this module that is a table definition is a table.
 */
export const invoicesTable = defineTable({
  name: 'invoices',
  softDelete: true,
  columns: {
    userId: { type: 'uuid', references: { table: 'users' } },
    number: { type: 'string', unique: true, length: 32 },
    amountCents: { type: 'integer' },
    currency: { type: 'string', enum: ['usd', 'eur'], default: 'usd' },
    status: { type: 'string', enum: ['draft', 'open', 'paid', 'void'] },
    paidAt: { type: 'timestamp', nullable: true },
    note: { type: 'text', nullable: true },
  },
});

/** An invoice row, derived from the declaration. */
export type Invoice = EntityOf<typeof invoicesTable>;
