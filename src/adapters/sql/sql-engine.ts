import { closedException } from '../../transactions/transaction-state';
import type { QueryLimits } from '../../query/plan-query';
import type { QueryPlan } from '../../query/query-plan';
import type { TableDefinition } from '../../schema/table-definition';
import { statementTrace } from '../../observation/statement-trace';
import type { TransactionManager } from '../../transactions/transaction-manager';
import { REDACTED } from '../query-observer';
import {
  countText,
  pageParams,
  pageText,
  planParams,
  redactedPageParams,
  redactedPlanParams,
  selectText,
} from './sql-compiler';
import { usesSearchIndex } from './sql-conditions';
import type { SqlDialect } from './sql-dialect';
import type { SqlDriver, SqlResult, SqlStatement } from './sql-driver';
import { settle, type NowOrLater } from './now-or-later';

/** How many plan texts are kept before the cache starts over (plans vary with the filters used). */
const PLAN_TEXT_LIMIT = 5_000;

/** The three statements a read plan becomes. */
export type PlanStatementKind = 'select' | 'count' | 'page';

const COMPILE: Record<PlanStatementKind, typeof selectText> = {
  select: selectText,
  count: countText,
  page: pageText,
};

/**
 * What every SQL operation goes through, whatever the engine: statements run for the calling
 * flow's transaction (or outside any), errors mapped by the driver, statements noted for an
 * observer that wants them, and plan texts compiled once per shape.
 */
export class SqlEngine<C> {
  readonly dialect: SqlDialect;
  private readonly planTexts = new Map<string, string>();
  private closed = false;

  constructor(
    readonly driver: SqlDriver<C>,
    readonly transactions: TransactionManager<C>,
    readonly limits: QueryLimits,
  ) {
    this.dialect = driver.dialect;
  }

  /** Marks the engine closed: every later statement fails with a ConnectionException. */
  close(): void {
    this.closed = true;
  }

  /**
   * Runs one statement for the calling flow, noting it for a trace, and maps its errors. Not
   * `async`: a synchronous driver's result (better-sqlite3) is settled in one promise, without
   * the extra promise and microtask turn an `await` of a plain value costs on every read.
   */
  run(
    operation: string,
    table: TableDefinition<any> | undefined,
    statement: SqlStatement,
  ): Promise<SqlResult> {
    return settle(() => this.runNow(operation, table, statement));
  }

  /**
   * As {@link run}, but a synchronous driver's result is returned as it is and its mapped error
   * thrown, for a read that makes its own one promise at the contract's edge (sql-reads.ts).
   */
  runNow(
    operation: string,
    table: TableDefinition<any> | undefined,
    statement: SqlStatement,
  ): NowOrLater<SqlResult> {
    let result: NowOrLater<SqlResult>;
    try {
      traceStatement(statement);
      this.assertOpen();
      result = this.transactions.execute((connection) => this.driver.query(connection, statement));
    } catch (error) {
      throw this.driver.mapError(error, { table, operation });
    }
    if (!(result instanceof Promise)) return result;
    return result.then(undefined, (error: unknown) => {
      throw this.driver.mapError(error, { table, operation });
    });
  }

  /**
   * Runs statements all or nothing: in one step where the driver can (and then, inside a
   * transaction, in a savepoint of its own, so a failure does not abort the transaction), else in
   * a transaction (a savepoint inside one).
   */
  async runAll(
    operation: string,
    table: TableDefinition<any>,
    statements: Iterable<SqlStatement>,
  ): Promise<void> {
    const { driver } = this;
    if (!driver.batch) {
      await this.transactions.run(async () => {
        for (const statement of statements) await this.run(operation, table, statement);
      });
      return;
    }
    try {
      this.assertOpen();
      await this.transactions.execute(
        (connection) => driver.batch!(connection, traced(statements)),
        true,
      );
    } catch (error) {
      throw driver.mapError(error, { table, operation });
    }
  }

  /**
   * Runs an engine-specific step (several statements of the driver's own, such as statistics) for
   * the calling flow, like a statement: in its transaction, or after another flow's on a single
   * connection. Maps its errors.
   */
  async step<R>(
    operation: string,
    step: (connection: C | undefined) => R | Promise<R>,
  ): Promise<R> {
    try {
      this.assertOpen();
      return await this.transactions.execute(step);
    } catch (error) {
      throw this.driver.mapError(error, { operation });
    }
  }

  /** Throws the ConnectionException of a closed adapter, once it is closed. */
  assertOpen(): void {
    if (this.closed) throw closedException();
  }

  /** The statement of a read plan: its text compiled once per plan shape, its values bound now. */
  planStatement(kind: PlanStatementKind, plan: QueryPlan): SqlStatement {
    const { dialect } = this;
    const index = this.driver.searchIndex?.(plan.table);
    // A search the index serves has other text than the same plan's LIKE scan (short texts).
    const key = `${kind}:${plan.shape}${usesSearchIndex(plan, index) ? ':indexed' : ''}`;
    let text = this.planTexts.get(key);
    if (text === undefined) {
      if (this.planTexts.size >= PLAN_TEXT_LIMIT) this.planTexts.clear();
      text = COMPILE[kind](plan, dialect, index);
      this.planTexts.set(key, text);
    }
    const paged = kind === 'page';
    return {
      text,
      values: (paged ? pageParams : planParams)(plan, dialect, index),
      redacted: () =>
        (paged ? redactedPageParams : redactedPlanParams)(plan, dialect, REDACTED, index),
    };
  }

  /** Runs a read plan's statement; a plan that can match nothing sends none. */
  runPlan(operation: string, kind: PlanStatementKind, plan: QueryPlan): Promise<SqlResult> {
    return settle(() => this.runPlanNow(operation, kind, plan));
  }

  /** As {@link runPlan}, with a synchronous driver's result as it is (see {@link runNow}). */
  runPlanNow(operation: string, kind: PlanStatementKind, plan: QueryPlan): NowOrLater<SqlResult> {
    if (plan.conditions.some((c) => c.kind === 'never')) {
      return kind === 'count' ? { rows: [[0]], changes: 0 } : { rows: [], changes: 0 };
    }
    let statement: SqlStatement;
    try {
      this.assertOpen();
      // Finding a search index reads the schema, which can fail like any statement.
      statement = this.planStatement(kind, plan);
    } catch (error) {
      throw this.driver.mapError(error, { table: plan.table, operation });
    }
    return this.runNow(operation, plan.table, statement);
  }

  /** Forgets compiled plan texts (a migration may have added or dropped a search index). */
  forgetPlans(): void {
    this.planTexts.clear();
  }
}

/** Notes a statement for the observer of the calling flow, if it asked for statements. */
/** The statements as they are, each traced when it is taken (they may be made one at a time). */
function* traced(statements: Iterable<SqlStatement>): Generator<SqlStatement> {
  for (const statement of statements) {
    traceStatement(statement);
    yield statement;
  }
}

function traceStatement(statement: SqlStatement): void {
  const trace = statementTrace();
  if (trace)
    trace.add(statement.text, statement.redacted ? statement.redacted() : statement.values);
}
