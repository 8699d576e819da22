// The transactions of one cache layer, as frames carried by each flow's async context: which
// transaction a call belongs to, and the writes to invalidate when it commits.
import { LayerFrames, type LayerFrame } from '../transactions/layer-frames';
import { PendingWrites } from './pending-writes';

/** The cache layer's view of one transaction the calling flow is in. */
export interface CacheFrame extends LayerFrame {
  /** The writes made in it, invalidated when it commits. */
  readonly writes: PendingWrites;
  /**
   * Its work finished, so COMMIT may follow: from then on the writes may be visible to others,
   * and they are invalidated whatever the outcome (a failed COMMIT's outcome is not known).
   */
  committing: boolean;
}

/** The frames of one cache layer: {@link LayerFrames} with each transaction's writes. */
export class CacheFrames extends LayerFrames<CacheFrame> {
  constructor() {
    super(() => ({ writes: new PendingWrites(), committing: false }));
  }
}
