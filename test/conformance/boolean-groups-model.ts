import fc from 'fast-check';
import type { IFilterOptions } from '../../src/adapters/database-adapter.interface';
import type { IUserEntity } from '../../src/entities/user.entity';

/**
 * Random filter trees with `or` / `not` over a few user properties, and a reference evaluation in
 * SQL's three-valued logic (a comparison with NULL is unknown, and so is its negation), to check
 * every provider against.
 */

/** true, false or unknown (SQL NULL). */
type Truth = boolean | null;

export const FIRST_NAMES = ['Ann', 'Ben', 'Cy', 'Di'] as const;
export const PHONES = ['+4915112345678', '+4915187654321'] as const;

type Leaf =
  | { firstName: string }
  | { firstName: { neq: string } }
  | { firstName: string[] }
  | { phone: string }
  | { phone: { neq: string } }
  | { phone: null }
  | { emailVerified: boolean };

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc.constantFrom(...FIRST_NAMES).map((firstName) => ({ firstName })),
  fc.constantFrom(...FIRST_NAMES).map((n) => ({ firstName: { neq: n } })),
  fc.subarray([...FIRST_NAMES]).map((names) => ({ firstName: names })),
  fc.constantFrom(...PHONES).map((phone) => ({ phone })),
  fc.constantFrom(...PHONES).map((p) => ({ phone: { neq: p } })),
  fc.constant({ phone: null }),
  fc.boolean().map((emailVerified) => ({ emailVerified })),
);

/** A filter set: one or two leaves, and `depth` levels down maybe an `or` of sets and a `not`. */
export function filterTree(depth: number): fc.Arbitrary<IFilterOptions> {
  const leaves = fc.array(leaf, { minLength: 1, maxLength: 2 });
  if (depth === 0) return leaves.map((l) => Object.assign({}, ...l) as IFilterOptions);
  const inner = filterTree(depth - 1);
  return fc
    .record({
      leaves,
      or: fc.option(fc.array(inner, { maxLength: 3 }), { nil: undefined }),
      not: fc.option(inner, { nil: undefined }),
    })
    .map(({ leaves: l, or, not }) => {
      const set: IFilterOptions = Object.assign({}, ...l);
      if (or !== undefined) set.or = or;
      if (not !== undefined) set.not = not;
      return set;
    });
}

function compare(stored: unknown, test: (v: unknown) => boolean): Truth {
  return stored === null || stored === undefined ? null : test(stored);
}

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes(null) ? null : false;
}

/** The truth of a filter set for a user, as SQL computes it. */
export function truthOf(filters: IFilterOptions, user: IUserEntity): Truth {
  const parts: Truth[] = [];
  for (const [key, value] of Object.entries(filters)) {
    const stored = (user as unknown as Record<string, unknown>)[key];
    if (key === 'or') parts.push(or((value as IFilterOptions[]).map((f) => truthOf(f, user))));
    else if (key === 'not') {
      const inner = truthOf(value as IFilterOptions, user);
      parts.push(inner === null ? null : !inner);
    } else if (value === null) parts.push(stored === null || stored === undefined);
    else if (Array.isArray(value)) parts.push(compare(stored, (v) => value.includes(v)));
    else if (typeof value === 'object') {
      const { neq } = value as { neq: unknown };
      parts.push(compare(stored, (v) => v !== neq));
    } else parts.push(compare(stored, (v) => v === value));
  }
  return and(parts);
}
