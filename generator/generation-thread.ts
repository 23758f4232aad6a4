/**
 * `generate` runs on a worker thread of its own, because a worker is the one place a running
 * process can still choose two things V8 fixes when a heap is created:
 * - the stack: a document whose `$ref`s nest hundreds deep (a chain of 500 schemas) overflows the
 *   main thread's stack in the recursive walks;
 * - the young generation: by default it grows to 32 MiB of semi-spaces, which a generation's
 *   short-lived objects fill at once. Held to 12 MiB, peak RSS falls by 15–50 MiB at every size
 *   (100 to 12,000 operations of the synthetic document) for the same CPU, and grows in proportion
 *   to the document from the first hundred operations on (issue 16, target 1; docs/performance.md).
 */
import { getHeapStatistics } from "node:v8";
import { isMainThread, resourceLimits as threadLimits, Worker, workerData, type ResourceLimits } from "node:worker_threads";
import { userSetFlag } from "./v8-flags.cjs";

/** Stack for the generation thread. Only what a walk uses is ever touched. */
export const DEEP_STACK_MB = 512;

/** Young generation for the generation thread (3 semi-spaces of 4 MiB). */
const YOUNG_GENERATION_MB = 12;

interface ThreadData {
  argv: string[];
  /** The main thread's stderr is a terminal (a worker's own streams never are). */
  stderrIsTTY: boolean;
}

/** Whether the process's stderr is a terminal, asked from either thread. */
export function stderrIsTerminal(): boolean {
  return isMainThread ? process.stderr.isTTY === true : (workerData as ThreadData | undefined)?.stderrIsTTY === true;
}

/** The generation thread's heap and stack, as `--timings` shows them. */
export function generationThreadLimits(): string {
  const { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: old, stackSizeMb: stack } = threadLimits;
  return `young generation ${young} MiB, heap limit ${old} MiB, stack ${stack} MiB`;
}

/** `main(argv)` again on the generation thread; its exit code. A young generation the user sized (`--max-semi-space-size`) is theirs. */
export function mainOnGenerationThread(argv: string[]): Promise<number> {
  // A worker's heap limit defaults to 4 GiB whatever the process's (`--max-old-space-size`): keep the process's.
  const maxOldGenerationSizeMb = Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
  const resourceLimits: ResourceLimits = { stackSizeMb: DEEP_STACK_MB, maxOldGenerationSizeMb };
  if (!userSetFlag(/semi-space|young-generation/)) resourceLimits.maxYoungGenerationSizeMb = YOUNG_GENERATION_MB;
  const data: ThreadData = { argv, stderrIsTTY: stderrIsTerminal() };
  const worker = new Worker(new URL("./cli-worker.js", import.meta.url), { workerData: data, resourceLimits });
  return new Promise((resolve) => {
    worker.once("message", (code: number) => resolve(code));
    worker.once("error", (err) => {
      process.stderr.write(`error: ${err.message}\n`);
      resolve(1);
    });
    worker.once("exit", (code) => resolve(code === 0 ? 0 : 1));
  });
}
