/**
 * Compile-time checks of the one-declaration form: `npm run typecheck` (run by .ci/run through
 * test/types/type-tests.spec.ts) fails when an expectation here stops holding.
 */
import {
  defineTable,
  type CreateInput,
  type EntityOf,
  type IBaseEntity,
  type IVersionedEntity,
  type UpdateInput,
} from '../../src';

export const invoicesTable = defineTable({
  name: 'invoices',
  columns: {
    number: { type: 'string', length: 40, unique: true },
    status: { type: 'string', enum: ['draft', 'open', 'paid'] },
    amountCents: { type: 'integer' },
    paid: { type: 'boolean' },
    paidAt: { type: 'timestamp', nullable: true },
    lines: { type: 'json' },
  },
  searchable: ['number'],
});
type Invoice = EntityOf<typeof invoicesTable>;

const invoice: Invoice = {
  id: 'x',
  createdAt: 'x',
  updatedAt: 'x',
  number: 'INV-1',
  status: 'open',
  amountCents: 1,
  paid: false,
  paidAt: null,
  lines: [{ sku: 'a', qty: 1 }],
};
export const created: CreateInput<Invoice> = {
  number: 'INV-2',
  status: 'draft',
  amountCents: 2,
  paid: true,
  lines: [],
  // paidAt is nullable: it may be left out.
};
// @ts-expect-error an enum column takes only its values
export const badStatus: Invoice['status'] = 'void';
// @ts-expect-error an integer column is a number
export const badAmount: Invoice['amountCents'] = '12';
export const hasDeletedAt: Invoice['deletedAt'] = invoice.deletedAt;

defineTable({
  name: 'x',
  columns: { a: { type: 'string' } },
  // @ts-expect-error searchable names declared columns only
  searchable: ['b'],
});

export const hardTable = defineTable({
  name: 'h',
  softDelete: false,
  columns: { a: { type: 'text' } },
});
// @ts-expect-error a table without soft delete has no deletedAt
export const noDeletedAt: EntityOf<typeof hardTable>['deletedAt'] = null;

interface INote extends IBaseEntity {
  title: string;
  stars: number;
  pinned: boolean;
  body?: string | null;
}

defineTable<INote>({
  name: 'notes',
  columns: {
    title: { type: 'string', length: 200 },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    body: { type: 'text', nullable: true },
  },
});
defineTable<INote>({
  name: 'notes',
  columns: {
    // @ts-expect-error a boolean column cannot store a string property
    title: { type: 'boolean' },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    body: { type: 'text', nullable: true },
  },
});
defineTable<INote>({
  name: 'notes',
  columns: {
    title: { type: 'string' },
    // @ts-expect-error an integer property is not text
    stars: { type: 'text' },
    pinned: { type: 'boolean' },
    body: { type: 'text', nullable: true },
  },
});
defineTable<INote>({
  name: 'notes',
  columns: {
    title: { type: 'string' },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    // @ts-expect-error a property that admits null needs a nullable column
    body: { type: 'text' },
  },
});
defineTable<INote>({
  name: 'notes',
  // @ts-expect-error every property needs its column
  columns: { title: { type: 'string' }, stars: { type: 'integer' }, pinned: { type: 'boolean' } },
});
defineTable<INote>({
  name: 'notes',
  columns: {
    title: { type: 'string' },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    body: { type: 'text', nullable: true },
    // @ts-expect-error a column the interface does not have
    extra: { type: 'string' },
  },
});

// Versioned tables: `version: number` in the entity, never in create or update input.
export const ordersTable = defineTable({
  name: 'orders',
  versioned: true,
  columns: { total: { type: 'integer' } },
});
type Order = EntityOf<typeof ordersTable>;
export const orderVersion: Order['version'] = 1;
export const newOrder: CreateInput<Order> = { total: 1 };
// @ts-expect-error the library sets the version
export const writtenVersion: CreateInput<Order> = { total: 1, version: 2 };
// @ts-expect-error nor is it changed by an update
export const updatedVersion: UpdateInput<Order> = { version: 2 };
// @ts-expect-error a table that is not versioned has no version
export const noVersion: Invoice['version'] = 1;

interface IDocument extends IVersionedEntity {
  title: string;
}
defineTable<IDocument>({
  name: 'documents',
  versioned: true,
  columns: { title: { type: 'string' } },
});
// @ts-expect-error an entity with a version needs versioned: true
defineTable<IDocument>({ name: 'documents', columns: { title: { type: 'string' } } });
defineTable<INote>({
  name: 'notes',
  // @ts-expect-error an entity without a version cannot be versioned
  versioned: true,
  columns: {
    title: { type: 'string' },
    stars: { type: 'integer' },
    pinned: { type: 'boolean' },
    body: { type: 'text', nullable: true },
  },
});
