/**
 * Whether a soak's figures stayed flat (scripts/soak.ts): the median of the last 20% of the samples
 * against the median of the first 20% after warm-up. Pure, so test/soak.test.ts can pin it down.
 */
export interface SoakSample {
  /** ms since the load started. */
  atMs: number;
  rssKiB: number;
  lagP99Ms: number;
  handles: number;
}

export interface MetricVerdict {
  early: number;
  late: number;
  /** late / early for RSS and lag, late − early for handles. */
  change: number;
  limit: number;
  flat: boolean;
}

export interface SoakVerdict {
  rss: MetricVerdict;
  lag: MetricVerdict;
  handles: MetricVerdict;
  flat: boolean;
}

export interface Limits {
  /** Samples before this (ms since the load started) are not judged. */
  warmupMs: number;
  /** The share of the judged samples each median is taken over. */
  window: number;
  /** Largest late/early ratio for RSS, and for p99 lag. */
  rssGrowth: number;
  lagGrowth: number;
  /** Largest |late − early| for the active handle count. */
  handleDelta: number;
}

export const LIMITS: Readonly<Limits> = { warmupMs: 120_000, window: 0.2, rssGrowth: 1.1, lagGrowth: 2, handleDelta: 5 };

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function soakVerdict(samples: SoakSample[], limits: Limits = LIMITS): SoakVerdict {
  const after = samples.filter((s) => s.atMs >= limits.warmupMs).sort((a, b) => a.atMs - b.atMs);
  if (after.length < 2) throw new Error(`${after.length} sample(s) after the ${limits.warmupMs / 1000} s warm-up: too few to judge`);
  const k = Math.max(1, Math.round(after.length * limits.window));
  const early = after.slice(0, k);
  const late = after.slice(-k);
  const ratio = (key: "rssKiB" | "lagP99Ms", limit: number): MetricVerdict => {
    const e = median(early.map((s) => s[key]));
    const l = median(late.map((s) => s[key]));
    const change = e > 0 ? l / e : l > 0 ? Infinity : 1;
    return { early: e, late: l, change, limit, flat: change <= limit };
  };
  const e = median(early.map((s) => s.handles));
  const l = median(late.map((s) => s.handles));
  const handles = {
    early: e,
    late: l,
    change: l - e,
    limit: limits.handleDelta,
    flat: Math.abs(l - e) <= limits.handleDelta,
  };
  const rss = ratio("rssKiB", limits.rssGrowth);
  const lag = ratio("lagP99Ms", limits.lagGrowth);
  return { rss, lag, handles, flat: rss.flat && lag.flat && handles.flat };
}
