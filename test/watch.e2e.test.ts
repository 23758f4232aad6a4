/**
 * `generate --watch` as a user runs it (the built CLI as a child process, `npm run build` first):
 * edits to the document and to a file it `$ref`s regenerate; a broken document prints a located
 * error and leaves the last good output alone; the fix regenerates; a `$ref` added by an edit
 * is watched from then on; an editor-style save (write elsewhere, rename over) is seen; a config
 * file drives it; SIGINT exits 130. Bounds on time are generous (the latency target is measured
 * by bench/watch-latency.ts, not asserted here).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { THING_SCHEMAS, thingSpec } from "./helpers/thing-spec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "test/.tmp/watch");
const CLI = path.join(ROOT, "bin/symphony-codegen.js");
/**
 * How long a change may take to show before the test calls it missed: a regeneration takes tens of
 * milliseconds warm, but `npm test` runs test files side by side on two cores, and a test must fail
 * on a missed change, never on a busy machine (the latency target is measured by bench/watch-latency.ts).
 */
const BOUND_MS = 30_000;
const FIRST_RUN_MS = 60_000;

const ROOT_SPEC = thingSpec("Watched");
const SCHEMAS = THING_SCHEMAS;

/** A running `--watch` process whose output lines can be awaited. */
class Watcher {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: { stream: "out" | "err"; text: string }[] = [];
  #waiters: { re: RegExp; from: number; resolve: (line: string) => void }[] = [];
  #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [CLI, ...args], { cwd });
    for (const [stream, source] of [
      ["out", this.child.stdout],
      ["err", this.child.stderr],
    ] as const) {
      let buffer = "";
      source.setEncoding("utf8");
      source.on("data", (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          this.lines.push({ stream, text: buffer.slice(0, nl) });
          buffer = buffer.slice(nl + 1);
          this.#check();
        }
      });
    }
    this.#exit = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** A mark in the output: `next` looks only at lines after it. */
  mark(): number {
    return this.lines.length;
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      const hit = this.lines.slice(w.from).find((l) => w.re.test(l.text));
      if (hit) w.resolve(hit.text);
      return !hit;
    });
  }

  /** The first line after `from` matching `re`, within `timeoutMs`. */
  next(re: RegExp, from: number, timeoutMs = BOUND_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output line matching ${re} within ${timeoutMs} ms; output:\n${this.output(from)}`)), timeoutMs);
      this.#waiters.push({
        re,
        from,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      this.#check();
    });
  }

  output(from = 0): string {
    return this.lines
      .slice(from)
      .map((l) => `${l.stream}: ${l.text}`)
      .join("\n");
  }

  exited() {
    return this.#exit;
  }
}

let n = 0;
let dir: string;
let running: Watcher | undefined;

beforeEach(async () => {
  dir = path.join(TMP, `case-${process.pid}-${n++}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, "spec"), { recursive: true });
  await writeFile(path.join(dir, "spec/openapi.yaml"), ROOT_SPEC);
  await writeFile(path.join(dir, "spec/schemas.yaml"), SCHEMAS);
});

afterEach(async () => {
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill("SIGKILL");
    await running.exited();
  }
  running = undefined;
});

const read = (...parts: string[]) => readFileSync(path.join(dir, ...parts), "utf8");
const snapshot = (out: string) => Object.fromEntries(readdirSync(out).sort().map((f) => [f, readFileSync(path.join(out, f), "utf8")]));

/** Writes, then waits for the "regenerated" line; the time it took. */
async function editAndWait(w: Watcher, file: string, content: string): Promise<{ line: string; ms: number }> {
  const from = w.mark();
  const started = performance.now();
  await writeFile(file, content);
  const line = await w.next(/regenerated \d+ files? in \d+ ms/, from);
  return { line, ms: performance.now() - started };
}

describe("generate --watch", () => {
  it("regenerates on edits to the document and its $ref'd files, survives a broken document, follows new $refs, exits 130 on SIGINT", async () => {
    const spec = path.join(dir, "spec/openapi.yaml");
    const schemas = path.join(dir, "spec/schemas.yaml");
    const out = path.join(dir, "out");
    const w = (running = new Watcher(["generate", "spec/openapi.yaml", "--out", "out", "--watch"], dir));
    await w.next(/out: regenerated 8 files in \d+ ms/, 0, FIRST_RUN_MS);
    await w.next(/watching 2 files in 1 directory/, 0);
    expect(read("out/types.ts")).toContain("id: number");

    // The root document.
    let edit = await editAndWait(w, spec, ROOT_SPEC.replace("title: Watched", "title: Watched Again"));
    expect(edit.ms).toBeLessThan(BOUND_MS);
    expect(read("out/spec.ts")).toContain("Watched Again");

    // A file reached only through a $ref.
    edit = await editAndWait(w, schemas, SCHEMAS + "    nickname: { type: string }\n");
    expect(edit.ms).toBeLessThan(BOUND_MS);
    expect(read("out/types.ts")).toContain("nickname?: string");

    // Broken: a located error (file, line, pointer), the last good output untouched.
    const good = snapshot(out);
    let from = w.mark();
    await writeFile(schemas, SCHEMAS + "    broken: { type: [\n");
    const header = await w.next(/out: error, output left as it was/, from);
    expect(header).toMatch(/^\[\d\d:\d\d:\d\d\] /);
    const located = await w.next(/schemas\.yaml:\d+:\d+ #[^ ]*: error: /, from);
    expect(located).toContain(path.join("spec", "schemas.yaml"));
    // The document's own edits while broken are reported again, still not written.
    from = w.mark();
    await writeFile(spec, ROOT_SPEC.replace("title: Watched", "title: While Broken"));
    await w.next(/out: error, output left as it was/, from);
    expect(snapshot(out)).toEqual(good);

    // Fixed: regenerated, with both edits.
    edit = await editAndWait(w, schemas, SCHEMAS + "    color: { type: string }\n");
    expect(read("out/types.ts")).toContain("color?: string");
    expect(read("out/spec.ts")).toContain("While Broken");

    // A $ref to a new file (in a new directory): watched after the run that found it.
    await mkdir(path.join(dir, "spec/more"));
    await writeFile(path.join(dir, "spec/more/extra.yaml"), "Extra:\n  type: object\n  properties:\n    a: { type: string }\n");
    from = w.mark();
    await editAndWait(w, spec, ROOT_SPEC.replace("title: Watched", "title: While Broken") + 'components:\n  schemas:\n    Extra: { $ref: "./more/extra.yaml#/Extra" }\n');
    await w.next(/watching 3 files in 2 directories/, from);
    edit = await editAndWait(w, path.join(dir, "spec/more/extra.yaml"), "Extra:\n  type: object\n  properties:\n    fromNewFile: { type: string }\n");
    expect(read("out/types.ts")).toContain("fromNewFile?: string");

    // An editor's save: write a temporary file, rename it over the document.
    from = w.mark();
    const started = performance.now();
    await writeFile(spec + ".tmp", ROOT_SPEC.replace("title: Watched", "title: Renamed Into Place"));
    await rename(spec + ".tmp", spec);
    await w.next(/regenerated \d+ files? in \d+ ms/, from);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(read("out/spec.ts")).toContain("Renamed Into Place");
    // …and the watch still works after the rename.
    await editAndWait(w, spec, ROOT_SPEC.replace("title: Watched", "title: After Rename"));
    expect(read("out/spec.ts")).toContain("After Rename");

    // A file the document no longer reaches does not trigger runs.
    from = w.mark();
    await writeFile(path.join(dir, "spec/more/extra.yaml"), "Extra:\n  type: object\n");
    await new Promise((r) => setTimeout(r, 500));
    expect(w.output(from)).not.toMatch(/regenerated|no changes|error/);

    w.child.kill("SIGINT");
    const exit = await w.exited();
    expect(exit).toEqual({ code: 130, signal: null });
  }, 120_000);

  it("driven by symphony.config.json; a config edit reloads it; SIGINT exits 130", async () => {
    await writeFile(path.join(dir, "symphony.config.json"), JSON.stringify({ spec: "spec/openapi.yaml", out: "gen", runtimeImport: "first-runtime" }));
    const w = (running = new Watcher(["generate", "--watch"], dir));
    await w.next(/gen: regenerated 8 files/, 0, FIRST_RUN_MS);
    expect(read("gen/register.ts")).toContain('"first-runtime"');

    let from = w.mark();
    await writeFile(path.join(dir, "symphony.config.json"), JSON.stringify({ spec: "spec/openapi.yaml", out: "gen", runtimeImport: "second-runtime", emit: { client: false } }));
    await w.next(/symphony\.config\.json: reloaded/, from);
    await w.next(/gen: regenerated \d+ files/, from);
    expect(read("gen/register.ts")).toContain('"second-runtime"');
    expect(readdirSync(path.join(dir, "gen"))).not.toContain("client.ts");

    // An invalid config while watching: reported, the previous one kept.
    from = w.mark();
    await writeFile(path.join(dir, "symphony.config.json"), JSON.stringify({ spec: "spec/openapi.yaml", out: "gen", strict: "no" }));
    await w.next(/symphony\.config\.json: field "strict": expected boolean/, from);
    await w.next(/keeping the previous configuration/, from);
    await editAndWait(w, path.join(dir, "spec/schemas.yaml"), SCHEMAS + "    size: { type: number }\n");
    expect(read("gen/types.ts")).toContain("size?: number");
    expect(read("gen/register.ts")).toContain('"second-runtime"');

    w.child.kill("SIGINT");
    expect(await w.exited()).toEqual({ code: 130, signal: null });
  }, 120_000);

  it("a watched directory removed and created again (a branch switch, a re-checkout) is watched again", async () => {
    const w = (running = new Watcher(["generate", "spec/openapi.yaml", "--out", "out", "--watch"], dir));
    await w.next(/out: regenerated 8 files/, 0, FIRST_RUN_MS);
    await w.next(/watching 2 files/, 0);
    let from = w.mark();
    await rm(path.join(dir, "spec"), { recursive: true });
    // Either a run that fails (the files' events came first) or the directory's own event, noticed as inputs missing.
    await w.next(/out: error, output left as it was|some missing, retrying/, from);
    from = w.mark();
    await mkdir(path.join(dir, "spec"));
    await writeFile(path.join(dir, "spec/schemas.yaml"), SCHEMAS + "    comeback: { type: boolean }\n");
    await writeFile(path.join(dir, "spec/openapi.yaml"), ROOT_SPEC);
    await w.next(/out: regenerated \d+ files?/, from);
    expect(read("out/types.ts")).toContain("comeback?: boolean");
    // And later edits in the new directory are seen.
    await editAndWait(w, path.join(dir, "spec/schemas.yaml"), SCHEMAS + "    later: { type: boolean }\n");
    expect(read("out/types.ts")).toContain("later?: boolean");
    w.child.kill("SIGINT");
    expect((await w.exited()).code).toBe(130);
  }, 120_000);

  it("--watch with --check is refused", async () => {
    const w = (running = new Watcher(["generate", "spec/openapi.yaml", "--out", "out", "--watch", "--check"], dir));
    expect((await w.exited()).code).toBe(1);
    expect(w.output()).toContain("--watch and --check cannot be combined");
  });
});
