/**
 * Runs every benchmark and summarises their targets (issue 6, issue 16).
 *
 *   npx tsx bench/all.ts                      full: GitHub's description, ≥5 runs each; writes docs/performance.md
 *   npx tsx bench/all.ts --quick --ci         short: bundled DigitalOcean, 1–3 runs; exits 1 when a ratio is
 *                                             more than 2× worse than bench/baseline.json (ratios only) in
 *                                             each of 3 attempts (a regressed benchmark is re-measured
 *                                             before it fails: a busy machine is not a regression)
 *   npx tsx bench/all.ts --quick --update-baseline
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { log, machine, met, readResults, ROOT, targetRow, updateDoc, type Target } from "./lib.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const ci = argv.includes("--ci");
const updateBaseline = argv.includes("--update-baseline");
/** Summarise (and compare) the results already in bench/.out/ without running anything. */
const noRun = argv.includes("--no-run");
const label = quick ? "quick" : "full";
const BASELINE = path.join(ROOT, "bench/baseline.json");
/** How much worse than the baseline a ratio may be before `--ci` re-measures it (machine noise moves ratios ±50%). */
const TOLERANCE = 2;
/** Runs of a regressed benchmark before `--ci` fails: the best figure of the attempts counts. */
const ATTEMPTS = 3;

// Quick mode still takes medians of 3 where a single run would be too noisy to compare at ±25%.
const scripts: [string, string[]][] = [
  ["generate", quick ? ["--runs", "3"] : []],
  ["typecheck", quick ? ["--runs", "3"] : []],
  ["runtime", quick ? ["--runs", "3"] : []],
  ["memory", []],
  ["serve-scale", []],
  ["scale", []],
];
function runScript(name: string, extra: string[]): void {
  log(`\n== bench/${name}.ts ${quick ? "--quick" : ""}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, `bench/${name}.ts`), ...(quick ? ["--quick"] : []), ...extra], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) {
    log(`bench/${name}.ts failed (${r.status ?? r.signal})`);
    process.exit(1);
  }
}
for (const [name, extra] of noRun ? [] : scripts) runScript(name, extra);

interface Results {
  ratios?: Record<string, number>;
  targets: Target[];
}
const results = Object.fromEntries(scripts.map(([name]) => [name, readResults<Results>(`${name}-${label}`)!])) as Record<string, Results>;
const targets = Object.values(results).flatMap((r) => r.targets);
const summary = [
  `Run ${new Date().toISOString().slice(0, 10)}; ${machine()}.`,
  "",
  "| target | measured | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
  "",
  `${targets.filter(met).length} of ${targets.length} met.`,
].join("\n");
process.stdout.write("\n" + summary + "\n");
if (!quick) updateDoc("summary", `## Targets\n\n${summary}`);

/** Every ratio the benchmarks report, with which direction is better. Absolute figures never enter the baseline. */
const ratios: Record<string, number> = Object.assign({}, ...Object.values(results).map((r) => r.ratios ?? {}));
const higherIsBetter = (name: string) => name.startsWith("rps_");

if (updateBaseline) {
  writeFileSync(
    BASELINE,
    JSON.stringify({ mode: label, note: "ratios only (ours / peer); npm run bench:check fails when one is >2x worse in each of 3 attempts", ratios }, null, 2) +
      "\n",
  );
  log(`baseline written: ${path.relative(ROOT, BASELINE)}`);
}

if (ci) {
  if (!existsSync(BASELINE)) {
    log("no bench/baseline.json: nothing to compare");
    process.exit(1);
  }
  const baseline = JSON.parse(readFileSync(BASELINE, "utf8")) as { mode: string; ratios: Record<string, number> };
  if (baseline.mode !== label) log(`warning: baseline was recorded in ${baseline.mode} mode, this run is ${label}`);
  const better = (name: string, a: number, b: number) => (higherIsBetter(name) ? Math.max(a, b) : Math.min(a, b));
  const regressedNames = () =>
    Object.entries(baseline.ratios).filter(([name, base]) => {
      const now = ratios[name];
      return now === undefined || (higherIsBetter(name) ? now < base / TOLERANCE : now > base * TOLERANCE);
    });
  // Re-measure only the benchmarks that report a regressed ratio; keep each ratio's best figure.
  for (let attempt = 2; attempt <= ATTEMPTS && !noRun && regressedNames().length > 0; attempt++) {
    const again = scripts.filter(([name]) => regressedNames().some(([ratio]) => ratio in (readResults<Results>(`${name}-${label}`)?.ratios ?? {})));
    log(
      `\nattempt ${attempt} of ${ATTEMPTS}: re-measuring ${again.map(([n]) => n).join(", ")} (${regressedNames()
        .map(([n]) => n)
        .join(", ")})`,
    );
    for (const [name, extra] of again) {
      runScript(name, extra);
      for (const [ratio, now] of Object.entries(readResults<Results>(`${name}-${label}`)?.ratios ?? {}))
        ratios[ratio] = ratio in ratios ? better(ratio, ratios[ratio]!, now) : now;
    }
  }
  const failed = new Set(regressedNames().map(([name]) => name));
  const lines = Object.entries(baseline.ratios).map(
    ([name, base]) =>
      `  ${failed.has(name) ? "REGRESSED" : "ok       "} ${name}: ${ratios[name] ?? "missing"} (baseline ${base}, ${higherIsBetter(name) ? "higher" : "lower"} is better)`,
  );
  process.stdout.write(`\nratios against bench/baseline.json (within ${TOLERANCE}×, best of up to ${ATTEMPTS} attempts):\n${lines.join("\n")}\n`);
  process.exitCode = failed.size > 0 ? 1 : 0;
}
