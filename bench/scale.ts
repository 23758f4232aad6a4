/**
 * Both ends of the scale (issue 16), every tool a child process, rounds interleaved so that machine
 * load affects all alike:
 *  - growth: synthetic Graph-shaped descriptions (bench/scale/synthetic.ts) from 100 to 12,000
 *    operations, ours and openapi-typescript; cost per operation, and the curve;
 *  - Graph-scale: the 12,000-operation synthetic document and Microsoft Graph's published
 *    description (fetched with npm pack, bench/lib.ts graphSpec), ours against openapi-typescript;
 *  - type-check at scale: `tsc --noEmit` (TypeScript 5 and 7's native tsc) over our output for the
 *    largest synthetic document against openapi-typescript's types for it;
 *  - small specs: a cold `generate` of the OAI petstore-expanded against openapi-typescript's CLI,
 *    and the warm regeneration in `--watch` (bench/watch-latency.ts).
 *
 * Cost per operation is judged on the slope between consecutive sizes, (figure at N₂ − figure at N₁)
 * / (N₂ − N₁): a part that grows faster than the document shows as a rising slope. The figure from
 * the empty document, (figure at N − figure at 0) / N, is reported too; it falls with N because the
 * first operations also pay one-time warm-up (compiling the emitters' code paths). Sizes up to 1,000
 * operations run 3 times in every round: their steps are as small as one process's run-to-run noise.
 *
 *   npx tsx bench/scale.ts [--quick] [--runs N] [--sizes 100,1000,12000] [--no-graph] [--no-tsc]
 *
 * `--quick` (npm run bench:check): one mid-size point, 3,000 operations, 3 runs, no Graph, no tsc,
 * no small specs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  fmtMiB,
  fmtMs,
  graphSpec,
  GRAPH_PACKAGE,
  installPeers,
  log,
  machine,
  measure,
  MiB,
  OUT,
  PEER_VERSIONS,
  PEERS,
  ratio,
  ROOT,
  stats,
  targetRow,
  tsconfigFor,
  updateDoc,
  writeResults,
  type Target,
} from "./lib.js";
import { syntheticDocument, type SyntheticStats } from "./scale/synthetic.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    sizes: { type: "string" },
    "no-graph": { type: "boolean", default: false },
    "no-tsc": { type: "boolean", default: false },
  },
});
const quick = values.quick!;
const label = quick ? "quick" : "full";
const runs = Number(values.runs ?? (quick ? 3 : 5));
const sizes = (values.sizes ?? (quick ? "3000" : "100,300,1000,3000,6000,12000")).split(",").map(Number);
const withGraph = !quick && !values["no-graph"];
const withTsc = !quick && !values["no-tsc"];
const withSmall = !quick;
/** Target 3's one-page document: 4 operations. */
const SMALL_SPEC = path.join(ROOT, "fixtures/corpus/oai/v3.0-petstore-expanded.yaml");
/** Target 3: warm regeneration in `--watch`, from the write to the "regenerated" line (ms). */
const WATCH_LIMIT_MS = 50;
/** Sizes this small or smaller are sampled SMALL_REPEATS× as often (target 1's small steps). */
const SMALL_SIZE = 1000;
const SMALL_REPEATS = 3;
/** Largest spread of the per-operation slope around its median across sizes (target 1). */
const SPREAD = 0.3;

installPeers();
const versions = PEER_VERSIONS();
const dir = path.join(OUT, "scale");
mkdirSync(dir, { recursive: true });
const specs = new Map<number, { file: string; stats: SyntheticStats; bytes: number }>();
for (const n of [0, ...sizes]) {
  const { document, stats: s } = syntheticDocument(n);
  const text = JSON.stringify(document);
  const file = path.join(dir, `graph-shaped-${n}.json`);
  writeFileSync(file, text);
  specs.set(n, { file, stats: s, bytes: text.length });
}

const node = process.execPath;
const outDir = (tool: Tool, name: string | number) => path.join(dir, `out-${tool}-${name}`);
const tools = {
  ours: (spec: string, out: string) => [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", out, "--force", "--quiet"],
  openapiTypescript: (spec: string, out: string) => [PEERS.openapiTypescript, spec, "-o", path.join(out, "types.ts")],
};
type Tool = keyof typeof tools;
const TOOLS = Object.keys(tools) as Tool[];
const samples = new Map<string, { wallMs: number[]; peakRss: number[]; round: number[] }>();

/** Runs every case with every tool (interleaved), in the order given, as round `round`; samples keyed `tool:case`. */
async function runRound(cases: [name: string | number, spec: string][], round: number): Promise<void> {
  for (const [name, spec] of cases) {
    for (const tool of TOOLS) {
      const s = await measure(node, tools[tool](spec, outDir(tool, name)));
      const entry = samples.get(`${tool}:${name}`) ?? { wallMs: [], peakRss: [], round: [] };
      entry.wallMs.push(s.wallMs);
      entry.peakRss.push(s.peakRss);
      entry.round.push(round);
      samples.set(`${tool}:${name}`, entry);
      log(`  round ${round + 1} ${tool.padEnd(18)} ${String(name).padStart(6)}  ${(s.wallMs / 1000).toFixed(2)} s  ${(s.peakRss / MiB).toFixed(0)} MiB`);
    }
  }
}
async function rounds(cases: [name: string | number, spec: string][], count: number): Promise<void> {
  for (let round = 0; round < count; round++) await runRound(cases, round);
}

// A step between two small sizes is a fraction of a second and ~10 MiB of real work, the size of one
// process's run-to-run noise: those sizes run SMALL_REPEATS times in each round, spread between the
// larger sizes, so that their slopes rest on 3× the samples taken over the same stretch of time as the
// larger sizes' (this machine's speed drifts by up to 1.5× over minutes: extra rounds of the small
// sizes alone, run after the others, once measured them all in a slow stretch).
const all = [0, ...sizes];
const smallSizes = all.filter((n) => n <= SMALL_SIZE);
const repeated = !quick && smallSizes.length > 1 ? smallSizes : [];
const repeats = repeated.length > 0 ? SMALL_REPEATS : 1;
const once = all.filter((n) => !repeated.includes(n));
const order = Array.from({ length: repeats }, (_, i) => [...repeated, ...once.filter((_, j) => j % repeats === i)]).flat();
log(`scale bench (${label}): sizes ${all.join(", ")} operations, ${runs} round(s)${repeats > 1 ? `, sizes up to ${SMALL_SIZE} ${repeats}× a round` : ""}, ${machine()}`);
for (let round = 0; round < runs; round++) await runRound(order.map((n) => [n, specs.get(n)!.file]), round);
let graph: string | undefined;
if (withGraph) {
  graph = graphSpec();
  log(`Microsoft Graph (${path.relative(ROOT, graph)}), ${Math.min(runs, 3)} run(s)`);
  await rounds([["graph", graph]], Math.min(runs, 3));
}

let watch: { totalMs: number; generationMs: number } | undefined;
if (withSmall) {
  log(`small spec (${path.relative(ROOT, SMALL_SPEC)}): cold generate, ${runs} run(s); then --watch`);
  await rounds([["small", SMALL_SPEC]], runs);
  watch = watchLatency();
}

/** bench/watch-latency.ts's medians: write → "regenerated", and the generation it reports. */
function watchLatency(): { totalMs: number; generationMs: number } {
  const r = spawnSync(node, ["--import", "tsx", path.join(ROOT, "bench/watch-latency.ts"), "--spec", SMALL_SPEC, "--edits", "20"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const m = /median ([\d.]+) ms.*generation alone median ([\d.]+) ms/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`bench/watch-latency.ts failed (${r.status}): ${r.stderr || r.stdout}`);
  log(`  --watch: write → "regenerated" median ${m[1]} ms, generation alone ${m[2]} ms`);
  return { totalMs: Number(m[1]), generationMs: Number(m[2]) };
}

const figure = (tool: Tool, name: string | number) => {
  const e = samples.get(`${tool}:${name}`)!;
  return { wall: stats(e.wallMs), rss: stats(e.peakRss) };
};
const median = (xs: number[]) => stats(xs).median;
const spread = (xs: number[]) => {
  const m = median(xs);
  return Math.max(...xs.map((x) => Math.abs(x / m - 1)));
};
/**
 * Cost of the operations between two sizes, per operation: ms and KiB of peak RSS. Each pair of their
 * runs within one round gives a slope and the figure is the median of those, so that the machine's
 * drift over a run (above) stays out of it, as a difference of two whole-run medians would not.
 */
const slope = (tool: Tool, from: number, to: number) => {
  const a = samples.get(`${tool}:${from}`)!;
  const b = samples.get(`${tool}:${to}`)!;
  const perPair = (part: "wallMs" | "peakRss", unit: number) =>
    median(a.round.flatMap((round, i) => b.round.flatMap((r, j) => (r === round ? [(b[part][j]! - a[part][i]!) / unit / (to - from)] : []))));
  return { ms: perPair("wallMs", 1), kib: perPair("peakRss", 1024) };
};
const fromZero = sizes.map((n) => slope("ours", 0, n));
// Judged from the first size up: the step from the empty document carries the one-time warm-up.
const intervals = sizes.slice(1).map((n, i) => ({ from: sizes[i]!, to: n, ...slope("ours", sizes[i]!, n) }));
const judged = intervals.length > 0 ? intervals : fromZero.map((p, i) => ({ from: 0, to: sizes[i]!, ...p }));
const timeSpread = spread(judged.map((p) => p.ms));
const memorySpread = spread(judged.map((p) => p.kib));
const largest = sizes[sizes.length - 1]!;
const vs = (name: string | number, part: "wall" | "rss") => ratio(figure("ours", name)[part].median, figure("openapiTypescript", name)[part].median);

const targets: Target[] = [];
if (intervals.length > 1) {
  targets.push(
    { name: `generation time per operation, spread of the slopes ${sizes[0]}–${largest} operations`, value: ratio(timeSpread, 1), limit: SPREAD, kind: "max" },
    {
      name: `generation peak memory per operation, spread of the slopes ${sizes[0]}–${largest} operations`,
      value: ratio(memorySpread, 1),
      limit: SPREAD,
      kind: "max",
    },
  );
}
targets.push(
  { name: `generation wall, ${largest} synthetic operations: ours / openapi-typescript`, value: vs(largest, "wall"), limit: 1.5, kind: "max" },
  { name: `generation peak memory, ${largest} synthetic operations: ours / openapi-typescript`, value: vs(largest, "rss"), limit: 1.0, kind: "max" },
);
if (graph) {
  targets.push(
    { name: "generation wall, Microsoft Graph: ours / openapi-typescript", value: vs("graph", "wall"), limit: 1.5, kind: "max" },
    { name: "generation peak memory, Microsoft Graph: ours / openapi-typescript", value: vs("graph", "rss"), limit: 1.0, kind: "max" },
  );
}

if (watch) {
  targets.push(
    { name: "cold generate, OAI petstore-expanded: ours / openapi-typescript CLI (wall)", value: vs("small", "wall"), limit: 1.0, kind: "max" },
    { name: 'warm regeneration in --watch, write → "regenerated" (ms)', value: Math.round(watch.totalMs), limit: WATCH_LIMIT_MS, kind: "max" },
  );
}

// Type-check at scale: our whole output against openapi-typescript's types, for the largest document.
const tscSamples = new Map<string, { wallMs: number[]; peakRss: number[]; errors: number }>();
const compilers = {
  [`TypeScript ${versions.tsc5} tsc`]: path.join(ROOT, "node_modules/typescript/bin/tsc"),
  [`TypeScript ${versions.tsc7} native tsc`]: PEERS.tsc7,
};
if (withTsc) {
  const configs = Object.fromEntries(TOOLS.map((tool) => [tool, tsconfigFor(path.join(dir, `tc-${tool}`), [path.join(outDir(tool, largest), "**/*.ts")])]));
  const count = Math.min(runs, 3);
  log(`tsc --noEmit over the ${largest}-operation outputs, ${count} run(s)`);
  for (let round = 0; round < count; round++) {
    for (const [compiler, bin] of Object.entries(compilers)) {
      for (const tool of TOOLS) {
        const s = await measure(node, [bin, "-p", configs[tool]!, "--pretty", "false"], { allowFailure: true });
        const key = `${compiler}:${tool}`;
        const entry = tscSamples.get(key) ?? { wallMs: [], peakRss: [], errors: 0 };
        entry.wallMs.push(s.wallMs);
        entry.peakRss.push(s.peakRss);
        entry.errors = (s.stdout.match(/error TS\d+/g) ?? []).length;
        tscSamples.set(key, entry);
        log(`  round ${round + 1} ${key.padEnd(44)} ${(s.wallMs / 1000).toFixed(2)} s  ${(s.peakRss / MiB).toFixed(0)} MiB  ${entry.errors} errors`);
      }
    }
  }
  const [tsc5, tsc7] = Object.keys(compilers) as [string, string];
  const tscRatio = (compiler: string) =>
    ratio(stats(tscSamples.get(`${compiler}:ours`)!.wallMs).median, stats(tscSamples.get(`${compiler}:openapiTypescript`)!.wallMs).median);
  targets.push(
    { name: `${tsc5} --noEmit wall, ${largest} operations: our output / openapi-typescript's types`, value: tscRatio(tsc5), limit: 1.5, kind: "max" },
    {
      name: `${tsc7} --noEmit wall, ${largest} operations: our output / openapi-typescript's types (reported)`,
      value: tscRatio(tsc7),
      limit: Infinity,
      kind: "max",
    },
  );
}

const fmtPer = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
const otName = `openapi-typescript ${versions.openapiTypescript}`;
const rows = [0, ...sizes].map((n, i) => {
  const spec = specs.get(n)!;
  const o = figure("ours", n);
  const t = figure("openapiTypescript", n);
  const zero = i === 0 ? undefined : fromZero[i - 1]!;
  const step = i <= 1 ? undefined : intervals[i - 2]!;
  return `| ${n} | ${spec.stats.schemas} | ${(spec.bytes / MiB).toFixed(2)} | ${fmtMs(o.wall)} | ${fmtMiB(o.rss)} | ${step ? fmtPer(step.ms, 2) : "–"} | ${step ? fmtPer(step.kib, 0) : "–"} | ${zero ? fmtPer(zero.ms, 2) : "–"} | ${fmtMs(t.wall)} | ${fmtMiB(t.rss)} |`;
});
const sections = [
  `Synthetic Graph-shaped descriptions (bench/scale/synthetic.ts: \`allOf\` chains up to 5 deep, discriminator mappings over every descendant, shared parameters and error responses); ${runs} round(s), each running every size once (sizes up to ${SMALL_SIZE} operations ${repeats} times, spread over the round), the tools interleaved; ${machine()}. ` +
    `Slope: (figure at N − figure at the size before) / (operations between), taken for each pair of runs of the two sizes within a round, and the median of those; from 0: the same against 0 operations.`,
  "",
  `| operations | schemas | spec MiB | ours wall | ours peak RSS | ours ms / op (slope) | ours KiB / op (slope) | ours ms / op (from 0) | ${otName} wall | ${otName} peak RSS |`,
  "|---:|---:|---:|---|---|---:|---:|---:|---|---|",
  ...rows,
];
if (graph) {
  const o = figure("ours", "graph");
  const t = figure("openapiTypescript", "graph");
  sections.push(
    "",
    `Microsoft Graph v1.0 (\`api/microsoft.com/graph.json\` of the npm package ${GRAPH_PACKAGE}: 20 MB JSON, 11,422 operations, 2,599 component schemas); ${Math.min(runs, 3)} run(s) each, interleaved.`,
    "",
    "| generator | wall | peak RSS |",
    "|---|---|---|",
    `| symphony-codegen (all outputs) | ${fmtMs(o.wall)} | ${fmtMiB(o.rss)} |`,
    `| ${otName} (types only) | ${fmtMs(t.wall)} | ${fmtMiB(t.rss)} |`,
  );
}
if (watch) {
  const o = figure("ours", "small");
  const t = figure("openapiTypescript", "small");
  sections.push(
    "",
    `A one-page document: the OAI petstore-expanded (\`fixtures/corpus/oai/v3.0-petstore-expanded.yaml\`, 4 operations), a cold process each run, ${runs} run(s) each, interleaved; then \`generate --watch\` on it, 20 edits (bench/watch-latency.ts).`,
    "",
    "| | wall | peak RSS |",
    "|---|---|---|",
    `| symphony-codegen, cold generate (all outputs) | ${fmtMs(o.wall)} | ${fmtMiB(o.rss)} |`,
    `| ${otName} CLI, cold (types only) | ${fmtMs(t.wall)} | ${fmtMiB(t.rss)} |`,
    `| symphony-codegen --watch, write → "regenerated" (median) | ${watch.totalMs.toFixed(1)} ms (generation alone ${watch.generationMs} ms) | |`,
  );
}
if (withTsc) {
  sections.push(
    "",
    `\`tsc --noEmit\` over the ${largest}-operation outputs (ours: every file; openapi-typescript: its types.ts), same strict tsconfig; ${Math.min(runs, 3)} run(s) each, interleaved.`,
    "",
    "| compiler | output | wall | peak RSS | errors |",
    "|---|---|---|---|---|",
    ...[...tscSamples].map(([key, s]) => {
      const [compiler, tool] = key.split(":");
      return `| ${compiler} | ${tool === "ours" ? "symphony-codegen" : otName} | ${fmtMs(stats(s.wallMs))} | ${fmtMiB(stats(s.peakRss))} | ${s.errors} |`;
    }),
  );
}
sections.push(
  "",
  `Spread of ours per operation (slopes) around its median: time ±${(timeSpread * 100).toFixed(0)}%, peak memory ±${(memorySpread * 100).toFixed(0)}% (target ±${SPREAD * 100}%).`,
  "",
  "| target | measured | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
);
if (!quick) sections.push("", "![Cost per operation (slopes) against document size](scale-curve.svg)");
const table = sections.join("\n");
process.stdout.write(`${table}\n`);
writeResults(`scale-${label}`, {
  sizes,
  runs,
  machine: machine(),
  versions,
  samples: Object.fromEntries(samples),
  tsc: Object.fromEntries(tscSamples),
  perOperationFromZero: Object.fromEntries(sizes.map((n, i) => [n, fromZero[i]])),
  slopes: intervals,
  timeSpread,
  memorySpread,
  ratios: { [`scaleWall${largest}OursOverOpenapiTypescript`]: vs(largest, "wall"), [`scaleMem${largest}OursOverOpenapiTypescript`]: vs(largest, "rss") },
  targets,
});
if (!quick && intervals.length > 0) {
  writeFileSync(path.join(ROOT, "docs/scale-curve.svg"), curve(intervals));
  updateDoc("scale", `### Both ends of the scale: growth with document size, Microsoft Graph, type-check, a one-page spec\n\n${table}`);
}

/** A two-series line chart (log-scaled x at each interval's end), ms and KiB per operation, each against its own axis. */
function curve(points: { to: number; ms: number; kib: number }[]): string {
  const xs = points.map((p) => p.to);
  const W = 640,
    H = 320,
    L = 60,
    R = 60,
    T = 30,
    B = 40;
  const lx = (x: number) => L + ((Math.log10(x) - Math.log10(xs[0]!)) / (Math.log10(xs[xs.length - 1]!) - Math.log10(xs[0]!) || 1)) * (W - L - R);
  const series = (values: number[], color: string, side: "left" | "right", unit: string) => {
    const max = Math.max(...values) * 1.2 || 1;
    const y = (v: number) => H - B - (Math.max(v, 0) / max) * (H - T - B);
    const points = values.map((v, i) => `${lx(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const axisX = side === "left" ? L - 6 : W - R + 6;
    const anchor = side === "left" ? "end" : "start";
    const ticks = [0, 0.5, 1]
      .map(
        (f) =>
          `<text x="${axisX}" y="${y(max * f).toFixed(1)}" text-anchor="${anchor}" font-size="11" fill="${color}">${(max * f).toFixed(max < 10 ? 2 : 0)}</text>`,
      )
      .join("");
    const dots = values.map((v, i) => `<circle cx="${lx(xs[i]!).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"/>`).join("");
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>${dots}${ticks}<text x="${axisX}" y="${T - 10}" text-anchor="${anchor}" font-size="12" fill="${color}">${unit}</text>`;
  };
  const xticks = xs.map((x) => `<text x="${lx(x).toFixed(1)}" y="${H - B + 18}" text-anchor="middle" font-size="11">${x}</text>`).join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`,
    xticks,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">operations at the end of each interval (log scale)</text>`,
    series(
      points.map((p) => p.ms),
      "#1f77b4",
      "left",
      "ms per operation",
    ),
    series(
      points.map((p) => p.kib),
      "#d62728",
      "right",
      "KiB peak RSS per operation",
    ),
    `</svg>`,
    "",
  ].join("\n");
}
