export * from './observed.adapter';
export { StatementTrace, collectStatements, statementTrace } from './statement-trace';
