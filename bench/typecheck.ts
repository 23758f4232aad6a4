/**
 * Type-check cost for users (issue 6, target 3): `tsc --noEmit` over our generated output vs
 * @hey-api/openapi-ts's output for the same spec, one strict tsconfig for both; TypeScript 5
 * (node_modules/typescript) and TypeScript 7's native `tsc` (bench/peers, its newest release).
 * Uses the outputs bench/generate.ts left in bench/.out/gen/<mode>/ (generates them if absent).
 *
 *   npx tsx bench/typecheck.ts [--quick] [--runs N]
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
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
  COMPILER_OPTIONS,
  tsconfigFor,
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
const label = flags.quick ? "quick" : "full";
const spec = await specFor(flags.quick);
const gen = path.join(OUT, "gen", label);
const outputs = { ours: path.join(gen, "ours"), heyApi: path.join(gen, "hey-api") };
const node = process.execPath;

if (!existsSync(path.join(outputs.ours, "index.ts"))) {
  log(`generating ours into ${path.relative(ROOT, outputs.ours)}`);
  await measure(node, [path.join(ROOT, "bin/symphony-codegen.js"), "generate", spec, "--out", outputs.ours, "--quiet"]);
}
if (!existsSync(path.join(outputs.heyApi, "index.ts"))) {
  log(`generating hey-api into ${path.relative(ROOT, outputs.heyApi)}`);
  await measure(node, [
    PEERS.heyApi,
    ...["-i", spec, "-o", outputs.heyApi, "-c", "@hey-api/client-fetch", "-p", "@hey-api/typescript", "zod", "@hey-api/sdk", "--no-log-file", "-s"],
  ]);
}

const configs = Object.fromEntries(
  Object.entries(outputs).map(([name, dir]) => [name, tsconfigFor(path.join(OUT, "tc", label, name), [path.join(dir, "**/*.ts")])]),
);

const compilers = {
  tsc5: [path.join(ROOT, "node_modules/typescript/bin/tsc")],
  tsgo: [PEERS.tsc7],
};

let tsgoProblem: string | undefined;
try {
  const v = await measure(node, [...compilers.tsgo, "--version"]);
  log(`tsgo: ${v.stdout.trim()}`);
} catch (err) {
  tsgoProblem = (err as Error).message.split("\n")[0];
  log(`tsgo cannot run here: ${tsgoProblem}`);
}

const samples: Record<string, Sample[]> = {};
const errors: Record<string, number> = {};
log(`typecheck bench (${label}), ${flags.runs} run(s) each, ${machine()}`);
for (let round = 0; round < flags.runs; round++) {
  for (const [compiler, argv] of Object.entries(compilers)) {
    if (compiler === "tsgo" && tsgoProblem) continue;
    for (const [name, config] of Object.entries(configs)) {
      const key = `${compiler}:${name}`;
      const s = await measure(node, [...argv, "-p", config, "--pretty", "false"], { allowFailure: true });
      // Errors are counted, not fatal: the cost of checking is what is measured; both should be 0.
      errors[key] = (s.stdout.match(/error TS\d+/g) ?? []).length;
      (samples[key] ??= []).push({ wallMs: s.wallMs, peakRss: s.peakRss });
      log(`  round ${round + 1} ${key.padEnd(14)} ${(s.wallMs / 1000).toFixed(2)} s  ${(s.peakRss / MiB).toFixed(0)} MiB  ${errors[key]} errors`);
    }
  }
}

const wall = (k: string) => stats(samples[k]!.map((s) => s.wallMs));
const rss = (k: string) => stats(samples[k]!.map((s) => s.peakRss));
const targets: Target[] = [
  { name: `tsc ${versions.tsc5} --noEmit wall: ours / hey-api`, value: ratio(wall("tsc5:ours").median, wall("tsc5:heyApi").median), limit: 0.5, kind: "max" },
];
const info: Target[] = [
  {
    name: `tsc ${versions.tsc5} --noEmit peak memory: ours / hey-api (no target)`,
    value: ratio(rss("tsc5:ours").median, rss("tsc5:heyApi").median),
    limit: Infinity,
    kind: "max",
  },
];
if (!tsgoProblem) {
  info.push({
    name: `TypeScript ${versions.tsc7} native tsc --noEmit wall: ours / hey-api (reported)`,
    value: ratio(wall("tsgo:ours").median, wall("tsgo:heyApi").median),
    limit: Infinity,
    kind: "max",
  });
}

const results = {
  mode: label,
  runs: flags.runs,
  machine: machine(),
  versions,
  compilerOptions: COMPILER_OPTIONS,
  wallMs: Object.fromEntries(Object.keys(samples).map((k) => [k, wall(k)])),
  peakRssBytes: Object.fromEntries(Object.keys(samples).map((k) => [k, rss(k)])),
  errors,
  tsgo: tsgoProblem ? { ran: false, problem: tsgoProblem } : { ran: true },
  ratios: {
    tscWallOursOverHeyApi: targets[0]!.value,
    tscMemOursOverHeyApi: info[0]!.value,
    ...(tsgoProblem ? {} : { tsgoWallOursOverHeyApi: info[1]!.value }),
  },
  targets,
};
writeResults(`typecheck-${label}`, results);
if (label === "full") writeResults("typecheck", results);

const rows = Object.keys(samples).map((k) => {
  const [compiler, name] = k.split(":");
  return `| ${compiler === "tsc5" ? `TypeScript ${versions.tsc5} \`tsc\`` : `TypeScript ${versions.tsc7} native \`tsc\``} | ${name === "ours" ? "symphony-codegen" : `@hey-api/openapi-ts ${versions.heyApi}`} | ${fmtMs(wall(k))} | ${fmtMiB(rss(k))} | ${errors[k]} |`;
});
const table = [
  `\`--noEmit\` over each generator's whole output directory for the spec above, same tsconfig (\`${JSON.stringify(COMPILER_OPTIONS)}\`); ${flags.runs} run(s) each, interleaved.`,
  "",
  "| compiler | output | wall | peak RSS | errors |",
  "|---|---|---|---|---|",
  ...rows,
  ...(tsgoProblem ? ["", `TypeScript ${versions.tsc7}'s native tsc could not run here: ${tsgoProblem}`] : []),
  "",
  "| ratio (medians) | value | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
  ...info.map((t) => `| ${t.name} | ${t.value.toFixed(3)} | — | — |`),
].join("\n");
process.stdout.write(table + "\n");
if (!flags.quick) updateDoc(`typecheck-${label}`, `### Type-check cost\n\n${table}`);
