/**
 * Preloaded (`--import`) into the processes `npm run soak` starts, next to test/fuzz/probe.ts:
 * every SOAK_PROBE_MS (default 10 s) appends one JSON line to SOAK_PROBE_FILE with this process's
 * event-loop delay since the last line (perf_hooks histogram) and its active handle count, which
 * only the process itself can see. Nothing is read or changed in the program under test.
 */
import { appendFileSync } from "node:fs";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

export interface ProbeLine {
  /** ms since the epoch. */
  t: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** `process.getActiveResourcesInfo().length`: sockets, timers, servers … keeping the loop alive. */
  handles: number;
  /** The same, by resource type (for finding what grew). */
  byType: Record<string, number>;
  /** `process.memoryUsage()` now, KiB: resident set, V8 heap in use and reserved, C++ objects bound to JS, Buffers. */
  rssKiB: number;
  heapUsedKiB: number;
  heapTotalKiB: number;
  externalKiB: number;
  arrayBuffersKiB: number;
  /**
   * Heap in use just after the latest full (mark-sweep) collection, KiB: what is still reachable,
   * without the garbage between collections. Growth here is a leak; growth in RSS alone is V8 or
   * malloc keeping memory it has used once. Undefined until the first full collection.
   */
  liveHeapKiB?: number;
}

const kib = (bytes: number) => Math.round(bytes / 1024);

function memory() {
  const m = process.memoryUsage();
  return {
    rssKiB: kib(m.rss),
    heapUsedKiB: kib(m.heapUsed),
    heapTotalKiB: kib(m.heapTotal),
    externalKiB: kib(m.external),
    arrayBuffersKiB: kib(m.arrayBuffers),
  };
}

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  let liveHeapKiB: number | undefined;
  // The observer runs on the loop right after each collection ends: heapUsed then is the live heap.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        liveHeapKiB = kib(process.memoryUsage().heapUsed);
    }
  }).observe({ entryTypes: ["gc"] });
  const timer = setInterval(
    () => {
      // Its own interval is unref'd: it is not counted among the handles it reports.
      const resources = process.getActiveResourcesInfo();
      const byType: Record<string, number> = {};
      for (const r of resources) byType[r] = (byType[r] ?? 0) + 1;
      const line: ProbeLine = {
        t: Date.now(),
        lagP50Ms: ms(histogram.percentile(50)),
        lagP99Ms: ms(histogram.percentile(99)),
        lagMaxMs: ms(histogram.max),
        handles: resources.length,
        byType,
        ...memory(),
        liveHeapKiB,
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
      histogram.reset();
    },
    Number(process.env.SOAK_PROBE_MS ?? 10_000),
  );
  timer.unref();
}
