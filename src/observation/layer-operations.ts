// What a layer around the contract (resilience, cache) must say something about: every method of
// the contract, less the ones each layer implements for itself. A layer's rules table is typed
// with these, so a new contract method fails typecheck until every layer has its line.
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';

/** The methods of the contract (every function-valued member). */
export type ContractMethod = {
  [K in keyof IDatabaseAdapter]-?: IDatabaseAdapter[K] extends (...args: never[]) => unknown
    ? K
    : never;
}[keyof IDatabaseAdapter];

/**
 * The methods every layer implements for itself: transactions and the connection's own, and the
 * raw SQL tag (it builds a query and calls the layer's own `runSql`).
 */
export type LayerOwnOperation =
  | 'transaction'
  | 'beginTransaction'
  | 'commitTransaction'
  | 'rollbackTransaction'
  | 'ping'
  | 'close'
  | 'sql';

/** The contract's table operations a layer's rules table must name, besides `extra` of its own. */
export type RuledContractMethod<Extra extends string = never> = Exclude<
  ContractMethod,
  LayerOwnOperation | Extra
>;
