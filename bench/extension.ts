/**
 * An extension serving a whole description, measured in fresh processes (bench/memory.ts: GitHub's;
 * bench/serve-scale.ts: a 12,000-operation Graph-shaped one): our generated output compiled to JS
 * with esbuild (as a user's build would), registered on a real nats-server by bench/memory-server.ts,
 * which reports the time from process start to registered, RSS and heap once idle (gc, 2 s, gc),
 * and both again once every schema is built. A bare extension (nothing registered) is the baseline.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { transform } from "esbuild";
import { fmtMiB, fmtMs, log, measure, MiB, ratio, ROOT, stats, type Stats } from "./lib.js";

export interface Run {
  registeredMs: number;
  operations: number;
  rss: number;
  heapUsed: number;
  /** RSS once V8's memory reducer has run (bench/memory-server.ts), and when that was after registration. */
  rssSettled: number;
  settledAfterMs: number;
  /** False when the heap had not shrunk by a fifth within 45 s (rssSettled is then the RSS at 47 s). */
  reduced: boolean;
  rssAllBuilt: number;
  heapAllBuilt: number;
}

const toJs = async (file: string) =>
  (
    await transform(readFileSync(file, "utf8"), {
      loader: "ts",
      format: "esm",
      target: "es2022",
    })
  ).code;

/**
 * Generates `spec` into `<dir>/ts` (a no-op when current) and compiles it into `<dir>/js`, with the
 * extension script beside it. Returns the compiled directory and the script.
 */
export async function buildExtension(spec: string, dir: string): Promise<{ compiled: string; serverScript: string; generateMs: number }> {
  const generated = path.join(dir, "ts");
  const compiled = path.join(dir, "js");
  const started = performance.now();
  await measure(process.execPath, [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", generated, "--quiet"]);
  const generateMs = performance.now() - started;
  mkdirSync(compiled, { recursive: true });
  for (const name of readdirSync(generated).filter((f) => f.endsWith(".ts"))) {
    writeFileSync(path.join(compiled, name.replace(/\.ts$/, ".js")), await toJs(path.join(generated, name)));
  }
  const serverScript = path.join(dir, "memory-server.js");
  writeFileSync(serverScript, await toJs(path.join(ROOT, "bench/memory-server.ts")));
  return { compiled, serverScript, generateMs };
}

/** One fresh extension process: with a compiled directory it registers every operation, without one nothing. */
export async function runExtension(serverScript: string, natsUrl: string, compiled?: string): Promise<Run> {
  const child = spawn(process.execPath, ["--expose-gc", serverScript, natsUrl, ...(compiled ? [compiled] : [])], {
    cwd: ROOT,
    env: { ...process.env, SYMPHONY_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number>((r) => child.once("exit", (c) => r(c ?? 1)));
  const line = out.split("\n").find((l) => l.startsWith("BENCH-RESULT "));
  if (!line) throw new Error(`extension exited with ${code} without a result:\n${out.slice(-3000)}\n${err.slice(-3000)}`);
  return JSON.parse(line.slice("BENCH-RESULT ".length)) as Run;
}

export interface Measured {
  operations: number;
  registeredMs: Stats;
  rss: Stats;
  heap: Stats;
  rssSettled: Stats;
  settledAfterMs: Stats;
  /** Runs in which the memory reducer shrank the heap within 45 s. */
  reducedRuns: number;
  bareSettled: Stats;
  rssAllBuilt: Stats;
  heapAllBuilt: Stats;
  bare: Stats;
  /** RSS idle over the bare extension's, the same run (machine-independent). */
  rssIdleOverBare: number;
}

/** `runs` fresh extension processes, each followed by a bare one, on the nats-server at `natsUrl`. */
export async function measureExtension(serverScript: string, compiled: string, natsUrl: string, runs: number): Promise<Measured> {
  const full: Run[] = [];
  const bare: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runExtension(serverScript, natsUrl, compiled);
    full.push(run);
    log(
      `  run ${i + 1}: ${run.operations} operations registered after ${run.registeredMs.toFixed(0)} ms, RSS idle ${(run.rss / MiB).toFixed(0)} MiB (heap ${(run.heapUsed / MiB).toFixed(0)} MiB), settled ${(run.rssSettled / MiB).toFixed(0)} MiB, every schema built ${(run.rssAllBuilt / MiB).toFixed(0)} MiB`,
    );
    bare.push(await runExtension(serverScript, natsUrl));
    log(`  bare extension (nothing registered): RSS idle ${(bare[i]!.rss / MiB).toFixed(0)} MiB, settled ${(bare[i]!.rssSettled / MiB).toFixed(0)} MiB`);
  }
  const rss = stats(full.map((r) => r.rss));
  const bareRss = stats(bare.map((r) => r.rss));
  return {
    operations: full[0]!.operations,
    registeredMs: stats(full.map((r) => r.registeredMs)),
    rss,
    heap: stats(full.map((r) => r.heapUsed)),
    rssSettled: stats(full.map((r) => r.rssSettled)),
    settledAfterMs: stats(full.map((r) => r.settledAfterMs)),
    reducedRuns: full.filter((r) => r.reduced).length,
    bareSettled: stats(bare.map((r) => r.rssSettled)),
    rssAllBuilt: stats(full.map((r) => r.rssAllBuilt)),
    heapAllBuilt: stats(full.map((r) => r.heapAllBuilt)),
    bare: bareRss,
    rssIdleOverBare: ratio(rss.median, bareRss.median),
  };
}

/** When the settled figure was taken, saying so when the heap did not shrink in time. */
function settledWhen(m: Measured): string {
  const when = `${fmtMs(m.settledAfterMs)} after registered`;
  return m.reducedRuns === m.registeredMs.n
    ? when
    : `${when}; in ${m.registeredMs.n - m.reducedRuns} of ${m.registeredMs.n} runs the heap had not shrunk by then`;
}

/** The measure/value table rows for a measured extension. */
export function extensionRows(m: Measured): string[] {
  return [
    "| measure | value |",
    "|---|---|",
    `| process start → registered | ${fmtMs(m.registeredMs)} |`,
    `| RSS after idle (gc, 2 s, gc) | ${fmtMiB(m.rss)} |`,
    `| V8 heap used after idle | ${fmtMiB(m.heap)} |`,
    `| RSS settled: once V8's memory reducer has shrunk the heap grown while loading (${settledWhen(m)}) | ${fmtMiB(m.rssSettled)} |`,
    `| RSS once every schema is built (as if each operation had been called) | ${fmtMiB(m.rssAllBuilt)} |`,
    `| V8 heap used then | ${fmtMiB(m.heapAllBuilt)} |`,
    `| a bare extension (nothing registered), RSS idle | ${fmtMiB(m.bare)} |`,
    `| a bare extension, RSS settled | ${fmtMiB(m.bareSettled)} |`,
    `| RSS idle / the bare extension's | ${m.rssIdleOverBare.toFixed(3)} |`,
  ];
}

/** JSON-ready figures for writeResults. */
export function extensionResults(m: Measured): Record<string, unknown> {
  return {
    operations: m.operations,
    registeredMs: m.registeredMs,
    rssBytes: m.rss,
    heapUsedBytes: m.heap,
    rssSettledBytes: m.rssSettled,
    settledAfterMs: m.settledAfterMs,
    reducedRuns: m.reducedRuns,
    bareRssSettledBytes: m.bareSettled,
    rssAllBuiltBytes: m.rssAllBuilt,
    heapAllBuiltBytes: m.heapAllBuilt,
    bareRssBytes: m.bare,
  };
}
