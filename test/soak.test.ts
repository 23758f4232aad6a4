import { describe, expect, it } from "vitest";
import { median, soakVerdict, type SoakSample } from "./soak/verdict.js";

/** One sample every 10 s for `minutes`, each figure a function of the sample's minute. */
function run(minutes: number, at: (minute: number) => Omit<SoakSample, "atMs">): SoakSample[] {
  return Array.from({ length: minutes * 6 }, (_, i) => ({
    atMs: i * 10_000,
    ...at(i / 6),
  }));
}

describe("soak flatness verdict", () => {
  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("steady figures are flat; the warm-up's growth does not count", () => {
    const v = soakVerdict(
      run(30, (m) => ({
        rssKiB: m < 2 ? 50_000 + m * 20_000 : 100_000,
        lagP99Ms: 12,
        handles: 9,
      })),
    );
    expect(v.flat).toBe(true);
    expect(v.rss).toMatchObject({
      early: 100_000,
      late: 100_000,
      change: 1,
      flat: true,
    });
  });

  it("RSS growing 20% after warm-up is not flat; 5% is", () => {
    const grow = (pct: number) =>
      run(30, (m) => ({
        rssKiB: 100_000 * (1 + (pct / 100) * (m / 30)),
        lagP99Ms: 12,
        handles: 9,
      }));
    const leak = soakVerdict(grow(20));
    expect(leak.rss.flat).toBe(false);
    expect(leak.flat).toBe(false);
    expect(soakVerdict(grow(5)).rss.flat).toBe(true);
  });

  it("p99 lag: 2× is the limit", () => {
    const lag = (late: number) =>
      soakVerdict(
        run(30, (m) => ({
          rssKiB: 100_000,
          lagP99Ms: m > 25 ? late : 10,
          handles: 9,
        })),
      );
    expect(lag(20).lag).toMatchObject({
      early: 10,
      late: 20,
      change: 2,
      flat: true,
    });
    expect(lag(21).lag.flat).toBe(false);
  });

  it("handles: a difference of 5 is flat, 6 is not (either way)", () => {
    const handles = (late: number) =>
      soakVerdict(
        run(30, (m) => ({
          rssKiB: 100_000,
          lagP99Ms: 10,
          handles: m > 25 ? late : 10,
        })),
      ).handles;
    expect(handles(15)).toMatchObject({ change: 5, flat: true });
    expect(handles(16).flat).toBe(false);
    expect(handles(4).flat).toBe(false);
  });

  it("too few samples after warm-up is an error, not a verdict", () => {
    expect(() => soakVerdict(run(2, () => ({ rssKiB: 1, lagP99Ms: 1, handles: 1 })))).toThrow(/too few/);
  });
});
