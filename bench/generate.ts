/**
 * Generation benchmark (issue 6, targets 1 and 2), every tool a child process in this run,
 * rounds interleaved so that machine load affects all alike:
 *  (a) ours, full generation into an empty directory (`--force`),
 *  (b) openapi-typescript 7, types only,
 *  (c) @hey-api/openapi-ts: @hey-api/typescript + zod + @hey-api/sdk (fetch client),
 *  (d) ours, no-op regeneration (spec unchanged, output present).
 *
 *   npx tsx bench/generate.ts [--quick] [--runs N]
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import {
  fmtMiB,
  fmtMs,
  log,
  machine,
  measure,
  MiB,
  OUT,
  parseFlags,
  PEER_VERSIONS,
  PEERS,
  installPeers,
  specFor,
  ratio,
  ROOT,
  stats,
  targetRow,
  updateDoc,
  writeResults,
  type Sample,
  type Target,
} from "./lib.js";

const flags = parseFlags();
installPeers();
const versions = PEER_VERSIONS();
const spec = await specFor(flags.quick);
const label = flags.quick ? "quick" : "full";
const dir = path.join(OUT, "gen", label);
export const OUTPUTS = {
  ours: path.join(dir, "ours"),
  openapiTypescript: path.join(dir, "openapi-typescript"),
  heyApi: path.join(dir, "hey-api"),
};

const node = process.execPath;
const tools: Record<string, { args: () => string[]; fresh?: string }> = {
  ours: {
    args: () => [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", OUTPUTS.ours, "--force", "--quiet"],
    fresh: OUTPUTS.ours,
  },
  openapiTypescript: {
    args: () => [PEERS.openapiTypescript, spec, "-o", path.join(OUTPUTS.openapiTypescript, "types.ts")],
    fresh: OUTPUTS.openapiTypescript,
  },
  heyApi: {
    args: () => [
      PEERS.heyApi,
      "-i",
      spec,
      "-o",
      OUTPUTS.heyApi,
      "-c",
      "@hey-api/client-fetch",
      "-p",
      "@hey-api/typescript",
      "zod",
      "@hey-api/sdk",
      "--no-log-file",
      "-s",
    ],
    fresh: OUTPUTS.heyApi,
  },
  // Right after ours: same spec, output present → the manifest says nothing to do.
  noop: { args: () => [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", OUTPUTS.ours] },
};

function bytesIn(d: string): number {
  let total = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    total += e.isDirectory() ? bytesIn(p) : statSync(p).size;
  }
  return total;
}

const samples: Record<string, Sample[]> = { ours: [], openapiTypescript: [], heyApi: [], noop: [] };
const order = ["ours", "noop", "openapiTypescript", "heyApi"] as const;
log(`generate bench (${label}): ${path.relative(ROOT, spec)}, ${flags.runs} run(s) each, ${machine()}`);
for (let round = 0; round < flags.runs; round++) {
  for (const name of order) {
    const tool = tools[name]!;
    if (tool.fresh) rmSync(tool.fresh, { recursive: true, force: true });
    let s = await measure(node, tool.args());
    if (name === "noop" && !s.stdout.includes("(inputs unchanged)")) {
      // The generator itself changed since the full run (dist/ rebuilt): that run regenerated and
      // recorded a new manifest; measure the no-op again.
      log(`  round ${round + 1} noop: not a no-op (${s.stdout.split("\n")[0]}); again`);
      s = await measure(node, tool.args());
      if (!s.stdout.includes("(inputs unchanged)")) throw new Error(`no-op regeneration did not take the fast path: ${s.stdout}`);
    }
    samples[name]!.push({ wallMs: s.wallMs, peakRss: s.peakRss });
    log(`  round ${round + 1} ${name.padEnd(18)} ${(s.wallMs / 1000).toFixed(2)} s  ${(s.peakRss / MiB).toFixed(0)} MiB`);
  }
}
// The no-op run must really have been one: nothing in the output directory changed since ours wrote it.
const wall = (k: string) => stats(samples[k]!.map((s) => s.wallMs));
const rss = (k: string) => stats(samples[k]!.map((s) => s.peakRss));

const targets: Target[] = [
  { name: "generation wall: ours / hey-api", value: ratio(wall("ours").median, wall("heyApi").median), limit: 0.5, kind: "max" },
  {
    name: "generation wall: ours / openapi-typescript (types only)",
    value: ratio(wall("ours").median, wall("openapiTypescript").median),
    limit: 1.5,
    kind: "max",
  },
  { name: "generation peak memory: ours / hey-api", value: ratio(rss("ours").median, rss("heyApi").median), limit: 0.6, kind: "max" },
  { name: "no-op regeneration wall (s)", value: Math.round(wall("noop").median) / 1000, limit: 0.5, kind: "max" },
];

const sizes = Object.fromEntries(Object.entries(OUTPUTS).map(([k, d]) => [k, bytesIn(d)]));
const results = {
  mode: label,
  spec: path.relative(ROOT, spec),
  runs: flags.runs,
  machine: machine(),
  versions,
  wallMs: Object.fromEntries(Object.keys(samples).map((k) => [k, wall(k)])),
  peakRssBytes: Object.fromEntries(Object.keys(samples).map((k) => [k, rss(k)])),
  outputBytes: sizes,
  ratios: {
    genWallOursOverHeyApi: targets[0]!.value,
    genWallOursOverOpenapiTypescript: targets[1]!.value,
    genMemOursOverHeyApi: targets[2]!.value,
  },
  targets,
};
writeResults(`generate-${label}`, results);
if (label === "full") writeResults("generate", results);

const names: Record<string, string> = {
  ours: "symphony-codegen, full (types, zod schemas, operations, handlers, builders, register, client)",
  noop: "symphony-codegen, no-op regeneration",
  openapiTypescript: `openapi-typescript ${versions.openapiTypescript} (types only)`,
  heyApi: `@hey-api/openapi-ts ${versions.heyApi} (typescript + zod + sdk)`,
};
const table = [
  `Spec: \`${results.spec}\`; ${flags.runs} run(s) each, interleaved; ${results.machine}.`,
  "",
  "| generator | wall | peak RSS | output |",
  "|---|---|---|---|",
  ...Object.keys(names).map(
    (k) => `| ${names[k]} | ${fmtMs(wall(k))} | ${fmtMiB(rss(k))} | ${k === "noop" ? "nothing written" : `${(sizes[k]! / MiB).toFixed(1)} MiB`} |`,
  ),
  "",
  "| ratio (medians) | value | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
].join("\n");
process.stdout.write(table + "\n");
if (!flags.quick)
  updateDoc(`generate-${label}`, `### Generation (${label === "full" ? "GitHub REST description" : "quick: DigitalOcean, bundled"})\n\n${table}`);
