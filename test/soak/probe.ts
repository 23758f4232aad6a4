/**
 * Preloaded (`--import`) into the processes `npm run soak` starts, next to test/fuzz/probe.ts:
 * every SOAK_PROBE_MS (default 10 s) appends one JSON line to SOAK_PROBE_FILE with this process's
 * event-loop delay since the last line (perf_hooks histogram) and its active handle count, which
 * only the process itself can see. Nothing is read or changed in the program under test.
 */
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

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
}

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
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
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
      histogram.reset();
    },
    Number(process.env.SOAK_PROBE_MS ?? 10_000),
  );
  timer.unref();
}
