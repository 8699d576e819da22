import type { Condition, RelatedCondition } from '../../query/query-plan';
import { quoteIdentifier as q } from './sql-dialect';

/**
 * The text of a related condition (`some`, `none`, `every` on a relation): an EXISTS or NOT EXISTS
 * subquery over the related table under a fresh alias, correlated with the row of `outer`. Its
 * inner conditions are written by `write` for rows of that alias, so a related condition inside
 * it correlates with the alias in turn. Placeholders are taken in text order: scope, then match.
 */
export function relatedText(
  condition: RelatedCondition,
  outer: string,
  ph: { alias(): string },
  write: (conditions: readonly Condition[], outer: string) => string[],
): string {
  const { relation, quantifier } = condition;
  const alias = ph.alias();
  const tests = [
    `${alias}.${q(relation.targetColumn.column)} = ${outer}.${q(relation.sourceColumn.column)}`,
    ...write(condition.scope, alias),
  ];
  const match = write(condition.match, alias);
  if (match.length > 0) {
    // `every`: no related row whose test is not true; a NULL test (a NULL column) fails it.
    tests.push(
      quantifier === 'every' ? `(${match.join(' AND ')}) IS NOT TRUE` : match.join(' AND '),
    );
  }
  const exists = `EXISTS (SELECT 1 FROM ${q(relation.target.name)} AS ${alias} WHERE ${tests.join(' AND ')})`;
  return quantifier === 'some' ? exists : `NOT ${exists}`;
}
