/**
 * Memory and start-up (issue 6, target 6): an extension serving every operation of GitHub's
 * description (our generated output, compiled to JS with esbuild as a user's build would), registered
 * on a real nats-server (JetStream on: the 7 MB spec goes to the object store). Each run is a fresh
 * process: time from process start to registered, and RSS after idle (gc, 2 s, gc).
 *
 *   npx tsx bench/memory.ts [--quick] [--runs N]
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { transform } from "esbuild";
import { startNatsServer } from "../dev/nats-server.js";
import { fmtMiB, fmtMs, log, machine, measure, MiB, OUT, parseFlags, ratio, ROOT, specFor, stats, targetRow, updateDoc, writeResults, type Target } from "./lib.js";

const flags = parseFlags();
const label = flags.quick ? "quick" : "full";
const spec = await specFor(flags.quick);
const dir = path.join(OUT, "mem", label);
const generated = path.join(dir, "ts");
const compiled = path.join(dir, "js");

// Generate (a no-op when current) and compile to JS, types stripped.
await measure(process.execPath, [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", generated, "--quiet"]);
mkdirSync(compiled, { recursive: true });
for (const name of readdirSync(generated).filter((f) => f.endsWith(".ts"))) {
  const { code } = await transform(readFileSync(path.join(generated, name), "utf8"), { loader: "ts", format: "esm", target: "es2022" });
  writeFileSync(path.join(compiled, name.replace(/\.ts$/, ".js")), code);
}
const serverScript = path.join(dir, "memory-server.js");
{
  const { code } = await transform(readFileSync(path.join(ROOT, "bench/memory-server.ts"), "utf8"), { loader: "ts", format: "esm", target: "es2022" });
  writeFileSync(serverScript, code);
}

interface Run {
  registeredMs: number;
  operations: number;
  rss: number;
  heapUsed: number;
  rssAllBuilt: number;
  heapAllBuilt: number;
}

const nats = await startNatsServer();
const runs: Run[] = [];
const bareRuns: Run[] = [];
log(`memory bench (${label}): ${path.relative(ROOT, spec)}, ${flags.runs} run(s), ${machine()}`);
try {
  for (let i = 0; i < flags.runs; i++) {
    runs.push(await runExtension([compiled]));
    const run = runs[runs.length - 1]!;
    log(`  run ${i + 1}: ${run.operations} operations registered after ${run.registeredMs.toFixed(0)} ms, RSS idle ${(run.rss / MiB).toFixed(0)} MiB (heap ${(run.heapUsed / MiB).toFixed(0)} MiB), every schema built ${(run.rssAllBuilt / MiB).toFixed(0)} MiB`);
    bareRuns.push(await runExtension([]));
    log(`  bare extension (nothing registered): RSS idle ${(bareRuns[i]!.rss / MiB).toFixed(0)} MiB`);
  }
} finally {
  await nats.stop();
}

/** One fresh extension process: with the compiled output's directory it registers every operation. */
async function runExtension(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ["--expose-gc", serverScript, nats.url, ...args], {
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

const start = stats(runs.map((r) => r.registeredMs));
const rss = stats(runs.map((r) => r.rss));
const heap = stats(runs.map((r) => r.heapUsed));
const rssAllBuilt = stats(runs.map((r) => r.rssAllBuilt));
const heapAllBuilt = stats(runs.map((r) => r.heapAllBuilt));
const bare = stats(bareRuns.map((r) => r.rss));
/** For bench:check: what the generated output adds to an extension's idle RSS, as a ratio (machine-independent). */
const ratios = { rssIdleOverBareExtension: ratio(rss.median, bare.median) };
const targets: Target[] = [
  { name: "start to registered (s)", value: ratio(start.median, 1000), limit: 2, kind: "max" },
  { name: "RSS idle (MiB)", value: Math.round(rss.median / MiB), limit: 150, kind: "max" },
];
writeResults(`memory-${label}`, { mode: label, runs: flags.runs, machine: machine(), operations: runs[0]!.operations, registeredMs: start, rssBytes: rss, heapUsedBytes: heap, rssAllBuiltBytes: rssAllBuilt, heapAllBuiltBytes: heapAllBuilt, bareRssBytes: bare, ratios, targets });
if (label === "full") writeResults("memory", { ratios, targets });
const table = [
  `An extension serving all ${runs[0]!.operations} operations of \`${path.relative(ROOT, spec)}\` (generated output compiled to JS with esbuild), stub handlers, on one nats-server with JetStream (the spec, embedded compressed, is too large to inline even so and goes to the object store; schemas are built on first use); fresh process per run, ${flags.runs} run(s); ${machine()}.`,
  "",
  "| measure | value |",
  "|---|---|",
  `| process start → registered | ${fmtMs(start)} |`,
  `| RSS after idle (gc, 2 s, gc) | ${fmtMiB(rss)} |`,
  `| V8 heap used after idle | ${fmtMiB(heap)} |`,
  `| RSS once every schema is built (as if each operation had been called) | ${fmtMiB(rssAllBuilt)} |`,
  `| V8 heap used then | ${fmtMiB(heapAllBuilt)} |`,
  `| a bare extension (nothing registered), RSS idle | ${fmtMiB(bare)} |`,
  `| RSS idle / the bare extension's (bench:check compares this ratio) | ${ratios.rssIdleOverBareExtension.toFixed(3)} |`,
  "",
  "| measure | value | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
].join("\n");
process.stdout.write(table + "\n");
if (!flags.quick) updateDoc(`memory-${label}`, `### Memory and start-up\n\n${table}`);
