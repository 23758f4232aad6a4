import { describe, expect, it } from "vitest";
import { median, soakVerdict, type SoakSample } from "./soak/verdict.js";

type Figures = Omit<SoakSample, "atMs">;
/** A steady process: 100 MiB RSS of which 40 MiB V8 heap reservation, 15 MiB live. */
const STEADY: Figures = { rssKiB: 100_000, heapTotalKiB: 40_000, liveHeapKiB: 15_000, lagP99Ms: 12, handles: 9 };

/** One sample every 10 s for `minutes`, each figure a function of the sample's minute. */
function run(minutes: number, at: (minute: number) => Partial<Figures>): SoakSample[] {
  return Array.from({ length: minutes * 6 }, (_, i) => ({ atMs: i * 10_000, ...STEADY, ...at(i / 6) }));
}

describe("soak flatness verdict", () => {
  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("steady figures are flat; the warm-up's growth does not count", () => {
    const v = soakVerdict(run(30, (m) => (m < 2 ? { rssKiB: 50_000 + m * 25_000, liveHeapKiB: 5_000 + m * 5_000 } : {})));
    expect(v.flat).toBe(true);
    expect(v.liveHeap).toMatchObject({ early: 15_000, late: 15_000, change: 1, flat: true });
    expect(v.nativeRss).toMatchObject({ early: 60_000, late: 60_000, change: 1, flat: true });
  });

  it("V8 growing its heap reservation is reported in RSS but is not a leak", () => {
    // The first 30-minute run: reservation 32 → 55 MiB in steps, live heap flat, RSS ×1.14.
    const v = soakVerdict(run(30, (m) => ({ heapTotalKiB: m < 20 ? 32_000 : 55_000, rssKiB: m < 20 ? 90_000 : 113_000 })));
    expect(v.rss.change).toBeCloseTo(113 / 90, 3);
    expect(v.nativeRss.change).toBe(1);
    expect(v.flat).toBe(true);
  });

  it("a live heap growing 20% after warm-up is a leak; 5% is not", () => {
    const grow = (pct: number) => soakVerdict(run(30, (m) => ({ liveHeapKiB: 15_000 * (1 + (pct / 100) * (m / 30)) })));
    expect(grow(20).liveHeap.flat).toBe(false);
    expect(grow(20).flat).toBe(false);
    expect(grow(5).liveHeap.flat).toBe(true);
  });

  it("RSS outside the heap growing 20% (Buffers, malloc) is a leak even with the heap flat", () => {
    const v = soakVerdict(run(30, (m) => ({ rssKiB: 100_000 + 12_000 * (m / 30) })));
    expect(v.liveHeap.flat).toBe(true);
    expect(v.nativeRss.flat).toBe(false);
    expect(v.flat).toBe(false);
  });

  it("samples before the first full collection carry no live heap and are left out of that figure", () => {
    const v = soakVerdict(run(30, (m) => (m < 10 ? { liveHeapKiB: undefined } : {})));
    expect(v.liveHeap).toMatchObject({ early: 15_000, late: 15_000 });
    expect(() => soakVerdict(run(30, () => ({ liveHeapKiB: undefined })))).toThrow(/too few/);
  });

  it("p99 lag: 2× is the limit", () => {
    const lag = (late: number) => soakVerdict(run(30, (m) => ({ lagP99Ms: m > 25 ? late : 10 })));
    expect(lag(20).lag).toMatchObject({ early: 10, late: 20, change: 2, flat: true });
    expect(lag(21).lag.flat).toBe(false);
  });

  it("handles: a difference of 5 is flat, 6 is not (either way)", () => {
    const handles = (late: number) => soakVerdict(run(30, (m) => ({ handles: m > 25 ? late : 10 }))).handles;
    expect(handles(15)).toMatchObject({ change: 5, flat: true });
    expect(handles(16).flat).toBe(false);
    expect(handles(4).flat).toBe(false);
  });

  it("too few samples after warm-up is an error, not a verdict", () => {
    expect(() => soakVerdict(run(2, () => ({})))).toThrow(/too few/);
  });
});
