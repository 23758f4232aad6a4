/**
 * Whether a soak's figures stayed flat (scripts/soak.ts): the median of the last 20% of the samples
 * against the median of the first 20% after warm-up. Pure, so test/soak.test.ts can pin it down.
 *
 * Memory is judged in the two parts a leak can grow, not as RSS: the live heap (V8 heap in use just
 * after a full collection: every reachable JS object) and RSS outside V8's heap (code, C++ objects,
 * Buffers, malloc). RSS itself also carries V8's heap reservation (`heapTotal`), which V8 sizes to
 * the allocation rate: under steady load it grows its young generation step by step for many
 * minutes (measured: 32 → 55 MiB over ~20 min at 200 req/s, within 1 min at 600 req/s) with the
 * live heap flat at 13–14 MiB. RSS is reported beside the verdict, not judged alone.
 */
export interface SoakSample {
  /** ms since the load started. */
  atMs: number;
  /** Resident set size, KiB, and V8's heap reservation at the same instant. */
  rssKiB: number;
  heapTotalKiB: number;
  /** Heap in use after the latest full collection, KiB (undefined before the first one). */
  liveHeapKiB?: number;
  lagP99Ms: number;
  handles: number;
}

export interface MetricVerdict {
  early: number;
  late: number;
  /** late / early for memory and lag, late − early for handles. */
  change: number;
  limit: number;
  flat: boolean;
}

export interface SoakVerdict {
  liveHeap: MetricVerdict;
  /** RSS − heapTotal. */
  nativeRss: MetricVerdict;
  lag: MetricVerdict;
  handles: MetricVerdict;
  /** RSS as measured (reported; judged through its two parts above). */
  rss: Omit<MetricVerdict, "flat" | "limit">;
  flat: boolean;
}

export interface Limits {
  /** Samples before this (ms since the load started) are not judged. */
  warmupMs: number;
  /** The share of the judged samples each median is taken over. */
  window: number;
  /** Largest late/early ratio for the live heap and for RSS outside the heap, and for p99 lag. */
  memoryGrowth: number;
  lagGrowth: number;
  /** Largest |late − early| for the active handle count. */
  handleDelta: number;
}

export const LIMITS: Readonly<Limits> = { warmupMs: 120_000, window: 0.2, memoryGrowth: 1.1, lagGrowth: 2, handleDelta: 5 };

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
  const compare = (figure: (s: SoakSample) => number | undefined) => {
    const values = (rows: SoakSample[]) => rows.map(figure).filter((v): v is number => v !== undefined);
    const withFigure = after.filter((s) => figure(s) !== undefined);
    if (withFigure.length < 2) throw new Error("too few samples carry this figure to judge");
    const kk = Math.min(k, withFigure.length >> 1 || 1);
    return { early: median(values(withFigure.slice(0, kk))), late: median(values(withFigure.slice(-kk))) };
  };
  const ratio = (figure: (s: SoakSample) => number | undefined, limit: number): MetricVerdict => {
    const { early, late } = compare(figure);
    const change = early > 0 ? late / early : late > 0 ? Infinity : 1;
    return { early, late, change, limit, flat: change <= limit };
  };
  const h = compare((s) => s.handles);
  const handles = { ...h, change: h.late - h.early, limit: limits.handleDelta, flat: Math.abs(h.late - h.early) <= limits.handleDelta };
  const liveHeap = ratio((s) => s.liveHeapKiB, limits.memoryGrowth);
  const nativeRss = ratio((s) => s.rssKiB - s.heapTotalKiB, limits.memoryGrowth);
  const lag = ratio((s) => s.lagP99Ms, limits.lagGrowth);
  const r = compare((s) => s.rssKiB);
  const rss = { ...r, change: r.late / r.early };
  return { liveHeap, nativeRss, lag, handles, rss, flat: liveHeap.flat && nativeRss.flat && lag.flat && handles.flat };
}
