/**
 * `generate --watch` latency: time from writing the spec to the watcher's "regenerated" line
 * (printed after the files are written), in a warm process.
 *
 *   npx tsx bench/watch-latency.ts [--edits 15] [--rename] [--spec examples/petstore/openapi.yaml]
 *
 * Copies the spec to a temp directory, starts `node bin/symphony-codegen.js generate openapi.yaml
 * --out gen --watch` there (the built CLI: run `npm run build` first), waits for the first run and
 * the warm-up, makes two unmeasured edits, then `--edits` measured ones, each changing
 * `info.description` (so spec.ts and types.ts change). `--rename` saves as editors do: write a
 * temporary file, rename it over the spec. Prints each latency and the median.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const edits = Number(arg("--edits", "15"));
const rename = args.includes("--rename");
const source = readFileSync(path.resolve(ROOT, arg("--spec", "examples/petstore/openapi.yaml")), "utf8");
if (!/^  description: .*$/m.test(source)) throw new Error("the spec needs an info.description line to edit");

const dir = mkdtempSync(path.join(os.tmpdir(), "watch-latency-"));
const spec = path.join(dir, "openapi.yaml");
writeFileSync(spec, source);
const child = spawn(process.execPath, [path.join(ROOT, "bin/symphony-codegen.js"), "generate", "openapi.yaml", "--out", "gen", "--watch"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });

let buffer = "";
let waiter: { re: RegExp; resolve: (line: string) => void } | undefined;
child.stdout.setEncoding("utf8");
child.stdout.on("data", (chunk: string) => {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (waiter && waiter.re.test(line)) {
      const w = waiter;
      waiter = undefined;
      w.resolve(line);
    }
  }
});
const next = (re: RegExp, timeoutMs = 10_000) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms`)), timeoutMs);
    waiter = {
      re,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
    };
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function save(n: number): void {
  const text = source.replace(/^  description: .*$/m, `  description: edit number ${n} at ${Date.now()}`);
  if (!rename) return writeFileSync(spec, text);
  const tmp = `${spec}.tmp-${n}`;
  writeFileSync(tmp, text);
  renameSync(tmp, spec);
}

try {
  await next(/regenerated|no changes/, 60_000);
  await sleep(3000); // the warm-up run (see generator/watch.ts)
  const results: { total: number; reported: number }[] = [];
  for (let i = 0; i < edits + 2; i++) {
    const line = next(/regenerated/);
    const started = performance.now();
    save(i);
    const text = await line;
    const total = performance.now() - started;
    const reported = Number(/in (\d+) ms/.exec(text)?.[1] ?? NaN);
    if (i >= 2) results.push({ total, reported });
    console.log(`${i < 2 ? "warm-up" : "edit"} ${i}: ${total.toFixed(1)} ms (generation ${reported} ms)`);
    await sleep(300);
  }
  const sorted = results.map((r) => r.total).sort((a, b) => a - b);
  const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);
  const gen = results.map((r) => r.reported).sort((a, b) => a - b);
  console.log(
    `\n${results.length} edits${rename ? " (write + rename)" : ""}: write → "regenerated" median ${median(sorted).toFixed(1)} ms, min ${sorted[0]!.toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)}; generation alone median ${median(gen)} ms`,
  );
} finally {
  child.kill("SIGINT");
  await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
