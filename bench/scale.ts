/**
 * Growth with document size (issue 16, target 1): generation of synthetic Graph-shaped descriptions
 * (bench/scale/synthetic.ts) from 100 to 12,000 operations, ours and openapi-typescript, each a
 * child process, sizes interleaved within a round so that machine load affects all alike.
 * Per-operation cost is the marginal one: (figure at N − figure for the document with no
 * operations) / N, so start-up (the same at every size) does not hide or fake a trend.
 * Writes a table to docs/performance.md and the curve to docs/scale-curve.svg.
 *
 *   npx tsx bench/scale.ts [--quick] [--runs N] [--sizes 100,1000,12000]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fmtMiB, fmtMs, log, machine, measure, MiB, OUT, ROOT, stats, updateDoc, writeResults, type Stats } from "./lib.js";
import { syntheticDocument, type SyntheticStats } from "./scale/synthetic.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, runs: { type: "string" }, sizes: { type: "string" } },
});
const quick = values.quick!;
const runs = Number(values.runs ?? (quick ? 1 : 5));
const sizes = (values.sizes ?? (quick ? "1000" : "100,300,1000,3000,6000,12000")).split(",").map(Number);
/** Largest spread of per-operation cost around its median across sizes (target 1). */
const SPREAD = 0.3;

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
const tools = {
  ours: (spec: string, out: string) => [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", out, "--force", "--quiet"],
  openapiTypescript: (spec: string, out: string) => [path.join(ROOT, "node_modules/openapi-typescript/bin/cli.js"), spec, "-o", path.join(out, "types.ts")],
};
type Tool = keyof typeof tools;
const samples = new Map<string, { wallMs: number[]; peakRss: number[] }>();
const key = (tool: Tool, n: number) => `${tool}:${n}`;

log(`scale bench: sizes ${[0, ...sizes].join(", ")} operations, ${runs} run(s) each, ${machine()}`);
for (let round = 0; round < runs; round++) {
  for (const n of [0, ...sizes]) {
    for (const tool of Object.keys(tools) as Tool[]) {
      const out = path.join(dir, `out-${tool}-${n}`);
      const s = await measure(node, tools[tool](specs.get(n)!.file, out));
      const entry = samples.get(key(tool, n)) ?? { wallMs: [], peakRss: [] };
      entry.wallMs.push(s.wallMs);
      entry.peakRss.push(s.peakRss);
      samples.set(key(tool, n), entry);
      log(`  round ${round + 1} ${tool.padEnd(18)} ${String(n).padStart(6)} ops  ${(s.wallMs / 1000).toFixed(2)} s  ${(s.peakRss / MiB).toFixed(0)} MiB`);
    }
  }
}

const figure = (tool: Tool, n: number) => {
  const e = samples.get(key(tool, n))!;
  return { wall: stats(e.wallMs), rss: stats(e.peakRss) };
};
/** Marginal cost per operation at size n: ms and KiB. */
const perOperation = (tool: Tool, n: number) => {
  const base = figure(tool, 0);
  const at = figure(tool, n);
  return { ms: (at.wall.median - base.wall.median) / n, kib: (at.rss.median - base.rss.median) / 1024 / n };
};
const median = (xs: number[]) => stats(xs).median;
const spread = (xs: number[]) => {
  const m = median(xs);
  return Math.max(...xs.map((x) => Math.abs(x / m - 1)));
};
const ours = sizes.map((n) => perOperation("ours", n));
const timeSpread = spread(ours.map((p) => p.ms));
const memorySpread = spread(ours.map((p) => p.kib));
const largest = sizes[sizes.length - 1]!;
const wallRatio = figure("ours", largest).wall.median / figure("openapiTypescript", largest).wall.median;
const rssRatio = figure("ours", largest).rss.median / figure("openapiTypescript", largest).rss.median;

const fmtStats = (s: Stats, digits: number) =>
  s.n > 1 ? `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : s.median.toFixed(digits);
const rows = [0, ...sizes].map((n) => {
  const spec = specs.get(n)!;
  const o = figure("ours", n);
  const t = figure("openapiTypescript", n);
  const per = n === 0 ? undefined : perOperation("ours", n);
  return `| ${n} | ${spec.stats.schemas} | ${(spec.bytes / MiB).toFixed(2)} | ${fmtMs(o.wall)} | ${fmtMiB(o.rss)} | ${per ? per.ms.toFixed(2) : "–"} | ${per ? per.kib.toFixed(0) : "–"} | ${fmtMs(t.wall)} | ${fmtMiB(t.rss)} |`;
});
const table = [
  `Synthetic Graph-shaped descriptions (bench/scale/synthetic.ts); ${runs} run(s) each, interleaved; ${machine()}. Per operation = (figure at N − figure at 0 operations) / N.`,
  "",
  "| operations | schemas | spec MiB | ours wall | ours peak RSS | ours ms / op | ours KiB / op | openapi-typescript 7.13 wall | openapi-typescript peak RSS |",
  "|---:|---:|---:|---|---|---:|---:|---|---|",
  ...rows,
  "",
  `Spread of ours per operation around its median across ${sizes.join(", ")} operations: time ±${(timeSpread * 100).toFixed(0)}%, memory ±${(memorySpread * 100).toFixed(0)}% (target ±${SPREAD * 100}%). ` +
    `At ${largest} operations, ours / openapi-typescript: wall ${wallRatio.toFixed(2)} (target ≤ 1.5), peak memory ${rssRatio.toFixed(2)} (target ≤ 1.0).`,
  "",
  "![Per-operation cost against document size](scale-curve.svg)",
].join("\n");
process.stdout.write(`${table}\n`);
writeResults(`scale-${quick ? "quick" : "full"}`, {
  sizes,
  runs,
  machine: machine(),
  samples: Object.fromEntries(samples),
  perOperation: Object.fromEntries(sizes.map((n, i) => [n, ours[i]])),
  timeSpread,
  memorySpread,
  wallRatio,
  rssRatio,
});
if (!quick) {
  writeFileSync(path.join(ROOT, "docs/scale-curve.svg"), curve(sizes, ours));
  updateDoc("scale", `### Growth with document size\n\n${table}`);
}

/** A small two-series line chart (log-scaled x), per-operation ms and KiB each against its own axis. */
function curve(xs: number[], ys: { ms: number; kib: number }[]): string {
  const W = 640,
    H = 320,
    L = 60,
    R = 60,
    T = 30,
    B = 40;
  const lx = (x: number) => L + ((Math.log10(x) - Math.log10(xs[0]!)) / (Math.log10(xs[xs.length - 1]!) - Math.log10(xs[0]!) || 1)) * (W - L - R);
  const series = (values: number[], color: string, side: "left" | "right", unit: string) => {
    const max = Math.max(...values) * 1.2 || 1;
    const y = (v: number) => H - B - (v / max) * (H - T - B);
    const points = values.map((v, i) => `${lx(xs[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const axisX = side === "left" ? L - 6 : W - R + 6;
    const anchor = side === "left" ? "end" : "start";
    const ticks = [0, 0.5, 1]
      .map(
        (f) =>
          `<text x="${axisX}" y="${y(max * f).toFixed(1)}" text-anchor="${anchor}" font-size="11" fill="${color}">${(max * f).toFixed(max < 10 ? 2 : 0)}</text>`,
      )
      .join("");
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>${values.map((v, i) => `<circle cx="${lx(xs[i]!).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"/>`).join("")}${ticks}<text x="${axisX}" y="${T - 10}" text-anchor="${anchor}" font-size="12" fill="${color}">${unit}</text>`;
  };
  const xticks = xs.map((x) => `<text x="${lx(x).toFixed(1)}" y="${H - B + 18}" text-anchor="middle" font-size="11">${x}</text>`).join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`,
    xticks,
    `<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">operations (log scale)</text>`,
    series(
      ys.map((p) => p.ms),
      "#1f77b4",
      "left",
      "ms per operation",
    ),
    series(
      ys.map((p) => p.kib),
      "#d62728",
      "right",
      "KiB peak RSS per operation",
    ),
    `</svg>`,
    "",
  ].join("\n");
}
