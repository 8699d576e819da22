/**
 * Compile-time checks of factories: typed from the table they are defined for (run by
 * test/types/type-tests.spec.ts).
 */
import { defineFactory, defineTable, type CreateInput, type EntityOf } from '../../src';

export const ordersTable = defineTable({
  name: 'orders',
  columns: {
    reference: { type: 'string', unique: true },
    status: { type: 'string', enum: ['open', 'shipped'] },
    quantity: { type: 'integer' },
  },
});
type Order = EntityOf<typeof ordersTable>;

export const orders = defineFactory(ordersTable, (seq) => ({
  reference: `ORD-${seq}`,
  status: 'open',
  quantity: seq,
}));

export const built: CreateInput<Order> = orders.build({ status: 'shipped' });

// @ts-expect-error a status outside the enum does not compile
orders.build({ status: 'lost' });

// @ts-expect-error a string for an integer column does not compile
orders.build({ quantity: '1' });

// @ts-expect-error a property the table does not have does not compile
orders.build({ total: 1 });

// @ts-expect-error the factory's values are typed from the table too
defineFactory(ordersTable, () => ({ quantity: 'many' }));

/** A repository of another table is not a target. */
declare const otherRepository: { create(data: { name: string }): Promise<{ id: string }> } & {
  createMany(data: readonly { name: string }[]): Promise<{ id: string }[]>;
};
// @ts-expect-error a repository of another table does not compile
void orders.create(otherRepository);
