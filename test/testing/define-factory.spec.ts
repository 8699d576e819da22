import type { TestingModule } from '@nestjs/testing';
import { IsString, Matches } from 'class-validator';
import { BaseEntity } from '../../src/entities/base.entity';
import { ValidationException } from '../../src/exceptions';
import { defineTable } from '../../src/schema/table-definition';
import { defineFactory } from '../../src/testing';
import {
  type Invoice,
  InvoicesRepository,
  invoicesTable,
  bootInvoicesApp,
} from './support/invoices-app';

const invoices = () =>
  defineFactory(invoicesTable, (seq) => ({
    number: `INV-${seq}`,
    amountCents: 100 * seq,
    note: null,
  }));

/** The ValidationException `work` throws; fails the test when it throws none. */
function validationOf(work: () => unknown): ValidationException {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return error as ValidationException;
  }
  throw new Error('Expected a ValidationException');
}

describe('defineFactory', () => {
  it('numbers builds from 1, one more per build, so unique columns stay unique', () => {
    const factory = invoices();
    expect(factory.build().number).toBe('INV-1');
    expect(factory.buildMany(3).map((row) => row.number)).toEqual(['INV-2', 'INV-3', 'INV-4']);
  });

  it('puts overrides on top and fills declared defaults, leaving out what is undefined', () => {
    const factory = invoices();
    expect(factory.build({ status: 'paid', note: 'rush', amountCents: undefined })).toEqual({
      number: 'INV-1',
      amountCents: 100,
      status: 'paid',
      note: 'rush',
    });
    expect(factory.build().status).toBe('draft');
  });

  it.each<[string, Partial<Invoice>, string]>([
    ['a value of the wrong type', { amountCents: '12' as unknown as number }, 'amountCents'],
    ['null in a column that is not nullable', { number: null as unknown as string }, 'number'],
    ['a string longer than its length', { number: 'X'.repeat(21) }, 'number'],
    ['a value outside its enum', { status: 'void' as Invoice['status'] }, 'status'],
    ['an integer outside its range', { amountCents: 1_000_001 }, 'amountCents'],
    ['a property the table does not have', { total: 1 } as Partial<Invoice>, 'total'],
    ['a column the library manages', { id: 'x' } as Partial<Invoice>, 'id'],
  ])('refuses a build with %s, naming the field', (_case, overrides, field) => {
    const error = validationOf(() => invoices().build(overrides));
    expect(error.field).toBe(field);
    expect(error.violations.map((v) => v.field)).toEqual([field]);
  });

  it('refuses a factory that leaves out a required column, naming it', () => {
    const factory = defineFactory(invoicesTable, (seq) => ({ number: `N-${seq}` }));
    expect(validationOf(() => factory.build()).field).toBe('amountCents');
  });

  it('checks the entity class rules too when given one', () => {
    class CodeEntity extends BaseEntity {
      @IsString()
      @Matches(/^[A-Z]+$/)
      code!: string;
    }
    const codesTable = defineTable({ name: 'codes', columns: { code: { type: 'string' } } });
    const factory = defineFactory(codesTable, () => ({ code: 'ABC' }), {
      entityClass: CodeEntity,
    });
    expect(factory.build()).toEqual({ code: 'ABC' });
    expect(validationOf(() => factory.build({ code: 'abc' })).field).toBe('code');
  });

  it('refuses a count that is not a whole number of at least 0, and a values that is no function', () => {
    expect(validationOf(() => invoices().buildMany(-1)).field).toBe('count');
    expect(validationOf(() => invoices().buildMany(1.5)).field).toBe('count');
    expect(invoices().buildMany(0)).toEqual([]);
    expect(
      validationOf(() => defineFactory(invoicesTable, undefined as unknown as () => object)).field,
    ).toBe('values');
  });

  describe('through a repository', () => {
    let moduleRef: TestingModule;
    let repository: InvoicesRepository;

    beforeAll(async () => {
      moduleRef = await bootInvoicesApp();
      repository = moduleRef.get(InvoicesRepository);
    });
    afterAll(() => moduleRef.close());

    it('creates one row, and many in one call, each valid and distinct', async () => {
      const factory = invoices();
      const one = await factory.create(repository, { status: 'sent' });
      expect(one).toMatchObject({ number: 'INV-1', status: 'sent', amountCents: 100 });
      const many = await factory.createMany(repository, 3);
      expect(many.map((row) => row.number)).toEqual(['INV-2', 'INV-3', 'INV-4']);
      expect(await repository.count()).toBe(4);
    });
  });
});
