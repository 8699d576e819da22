/** Latency percentiles over the durations a {@link LatencyReservoir} holds, in milliseconds. */
export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** How many durations the figures are computed from (at most the reservoir size). */
  samples: number;
}

/**
 * A fixed-size ring of the latest durations: memory stays bounded however many operations run,
 * and percentiles describe recent behaviour rather than the whole uptime.
 */
export class LatencyReservoir {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  /** @param size how many of the latest durations are kept. */
  constructor(readonly size: number) {
    this.values = new Float64Array(size);
  }

  /** Records one duration, replacing the oldest once the ring is full. */
  add(durationMs: number): void {
    this.values[this.next] = durationMs;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled += 1;
  }

  /** Percentiles by nearest rank over the kept durations; all zero when empty. */
  percentiles(): LatencyPercentiles {
    if (this.filled === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0, samples: 0 };
    const sorted = this.values.slice(0, this.filled).sort();
    const rank = (p: number): number =>
      sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      p50: rank(50),
      p95: rank(95),
      p99: rank(99),
      max: sorted[sorted.length - 1],
      mean: sum / sorted.length,
      samples: sorted.length,
    };
  }
}
