/**
 * Results a synchronous driver (better-sqlite3) has at once and an asynchronous one (pg) later.
 * The read path passes them along as they are and makes one promise at the contract's edge: every
 * `async` layer in between would add a promise and a microtask turn to each read, which on SQLite
 * is a measurable share of a read by id (docs/performance.md, issue 15).
 */
export type NowOrLater<R> = R | Promise<R>;

/** `next` applied to `value`: at once when the value is here, else once it settles. */
export function andThen<A, B>(
  value: NowOrLater<A>,
  next: (value: A) => NowOrLater<B>,
): NowOrLater<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * What `work` returns, or throws, as one promise: a value had at once costs one resolved promise,
 * and a synchronous throw (a bad argument, a driver error) is a rejection, as from an `async`
 * function.
 */
export function settle<R>(work: () => NowOrLater<R>): Promise<R> {
  try {
    const result = work();
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}
