import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { forwardExtras } from './forward-extras';

/**
 * The part every layer around an adapter shares: it keeps the wrapped adapter as `inner` (where
 * the test transaction looks for the SQL adapter), reports its provider and capabilities, closes
 * it, and forwards its optional figures (pool, tables, storage, resilience, cache).
 */
export abstract class AdapterLayer {
  protected constructor(
    /** The wrapped adapter. */
    readonly inner: IDatabaseAdapter,
  ) {}

  /** Forwards the inner adapter's optional figures; call it once the layer's own methods are set. */
  protected forwardExtras(): void {
    forwardExtras(this, this.inner);
  }

  get provider(): IDatabaseAdapter['provider'] {
    return this.inner.provider;
  }

  get capabilities(): IDatabaseAdapter['capabilities'] {
    return this.inner.capabilities;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
