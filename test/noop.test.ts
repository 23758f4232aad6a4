/**
 * The no-op regeneration fast path: the manifest in the output directory records the hash of
 * every input file the bundle read and every output file written; an incremental run whose
 * inputs, options, generator and outputs all still match returns without loading or writing,
 * and any change anywhere (a file reached through a relative $ref included) regenerates.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { generate } from "../generator/generate.js";
import { MANIFEST, readManifest } from "../generator/write.js";
import { main } from "../generator/cli.js";
import { THING_SCHEMAS, thingSpec } from "./helpers/thing-spec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TMP = path.join(ROOT, "test/.tmp/noop");
const CLI = path.join(ROOT, "bin/symphony-codegen.js");

const ROOT_SPEC = thingSpec("Noop");
const SCHEMAS = THING_SCHEMAS;

let n = 0;
let dir: string;
let spec: string;
let out: string;

beforeEach(async () => {
  dir = path.join(TMP, `case-${process.pid}-${n++}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, "spec"), { recursive: true });
  spec = path.join(dir, "spec/openapi.yaml");
  out = path.join(dir, "out");
  await writeFile(spec, ROOT_SPEC);
  await writeFile(path.join(dir, "spec/schemas.yaml"), SCHEMAS);
});

const mtimes = (d: string) =>
  Object.fromEntries(
    readdirSync(d)
      .sort()
      .map((f) => [f, statSync(path.join(d, f)).mtimeMs]),
  );
const pause = () => new Promise((r) => setTimeout(r, 30));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("no-op regeneration", () => {
  it("records a manifest of inputs (both files of a multi-file spec) and outputs, relative to the output directory", async () => {
    const first = await generate(spec, { out, incremental: true });
    expect(first.fastPath).toBe(false);
    const manifest = await readManifest(out);
    expect(manifest).toBeDefined();
    expect(Object.keys(manifest!.inputs).sort()).toEqual(["../spec/openapi.yaml", "../spec/schemas.yaml"]);
    expect(manifest!.spec).toBe("../spec/openapi.yaml");
    expect(Object.keys(manifest!.outputs).sort()).toEqual(first.written.slice().sort());
    expect(manifest!.summary.operations).toBe(1);
    // The manifest is not a generated .ts file: the stale-file sweep keeps it.
    expect(first.removed).not.toContain(MANIFEST);
    expect(readdirSync(out)).toContain(MANIFEST);
  });

  it("unchanged: takes the fast path, writes nothing, touches no file", async () => {
    const first = await generate(spec, { out, incremental: true });
    const before = mtimes(out);
    await pause();
    const second = await generate(spec, { out, incremental: true });
    expect(second.fastPath).toBe(true);
    expect(second.written).toEqual([]);
    expect(second.removed).toEqual([]);
    expect(second.unchanged.sort()).toEqual(first.written.slice().sort());
    expect(mtimes(out)).toEqual(before);

    const run = await cli(["generate", spec, "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(inputs unchanged)");
    expect(run.stdout).toContain(`1 operations → ${out}: 0 written, ${first.written.length} unchanged`);
    expect(mtimes(out)).toEqual(before);
  });

  it("without incremental (the API default) or with --force: the full pipeline runs", async () => {
    await generate(spec, { out, incremental: true });
    const full = await generate(spec, { out });
    expect(full.fastPath).toBe(false);
    expect(full.written).toEqual([]);
    const run = await cli(["generate", spec, "--out", out, "--force"]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("(inputs unchanged)");
  });

  it("a changed file reached only through a relative $ref regenerates", async () => {
    await generate(spec, { out, incremental: true });
    await writeFile(path.join(dir, "spec/schemas.yaml"), SCHEMAS + "    nickname: { type: string }\n");
    const again = await generate(spec, { out, incremental: true });
    expect(again.fastPath).toBe(false);
    expect(again.written).toContain("types.ts");
    expect(await readFile(path.join(out, "types.ts"), "utf8")).toContain("nickname");
    // …and the manifest now records the new hash: the next run is a no-op again.
    expect((await generate(spec, { out, incremental: true })).fastPath).toBe(true);
  });

  it("a changed root document regenerates", async () => {
    await generate(spec, { out, incremental: true });
    await writeFile(spec, ROOT_SPEC.replace("title: Noop", "title: Noop2"));
    const again = await generate(spec, { out, incremental: true });
    expect(again.fastPath).toBe(false);
    expect(again.written.length).toBeGreaterThan(0);
  });

  it("an edited or deleted output file is regenerated", async () => {
    const first = await generate(spec, { out });
    const original = first.files.find((f) => f.name === "handlers.ts")!.content;
    await appendFile(path.join(out, "handlers.ts"), "// edited by hand\n");
    const again = await generate(spec, { out, incremental: true });
    expect(again.fastPath).toBe(false);
    expect(again.written).toEqual(["handlers.ts"]);
    expect(await readFile(path.join(out, "handlers.ts"), "utf8")).toBe(original);

    await rm(path.join(out, "types.ts"));
    const third = await generate(spec, { out, incremental: true });
    expect(third.fastPath).toBe(false);
    expect(third.written).toEqual(["types.ts"]);
  });

  it("a generated file the manifest does not list (to be removed) defeats the fast path", async () => {
    await generate(spec, { out, incremental: true });
    await writeFile(path.join(out, "orphan.ts"), "// Generated by symphony-codegen. Do not edit.\nexport {};\n");
    const again = await generate(spec, { out, incremental: true });
    expect(again.fastPath).toBe(false);
    expect(again.removed).toEqual(["orphan.ts"]);
    expect(existsSync(path.join(out, "orphan.ts"))).toBe(false);
  });

  it("different options regenerate", async () => {
    await generate(spec, { out, incremental: true });
    const again = await generate(spec, { out, incremental: true, runtimeImport: "my-runtime" });
    expect(again.fastPath).toBe(false);
    expect(await readFile(path.join(out, "register.ts"), "utf8")).toContain('"my-runtime"');
  });

  it("a corrupt manifest is ignored, then rewritten", async () => {
    await generate(spec, { out, incremental: true });
    await writeFile(path.join(out, MANIFEST), "{ not json");
    expect((await generate(spec, { out, incremental: true })).fastPath).toBe(false);
    expect((await generate(spec, { out, incremental: true })).fastPath).toBe(true);
  });

  it("--check uses the fast path when current, still fails on an edited output, and writes nothing", async () => {
    await generate(spec, { out, incremental: true });
    let run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("up to date");
    await appendFile(path.join(out, "handlers.ts"), "// edited by hand\n");
    const edited = await readFile(path.join(out, "handlers.ts"), "utf8");
    const manifestBefore = await readFile(path.join(out, MANIFEST), "utf8");
    run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("handlers.ts: differs");
    expect(await readFile(path.join(out, "handlers.ts"), "utf8")).toBe(edited);
    expect(await readFile(path.join(out, MANIFEST), "utf8")).toBe(manifestBefore);

    // A changed $ref'd input under --check: stale, not silently "up to date".
    await generate(spec, { out, incremental: true });
    await writeFile(path.join(dir, "spec/schemas.yaml"), SCHEMAS + "    color: { type: string }\n");
    run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("types.ts: differs");
  });

  it("the CLI's no-op path loads none of the heavy modules (TypeScript, openapi-typescript, prettier, redocly)", async () => {
    // A resolve hook logs every module the CLI process loads.
    const log = path.join(dir, "modules.log");
    await writeFile(
      path.join(dir, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`,
    );
    await writeFile(path.join(dir, "register.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
    const runCli = (extra: string[]) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ["--import", path.join(dir, "register.mjs"), CLI, "generate", spec, "--out", out, ...extra], { cwd: ROOT }, (err, stdout) =>
          err ? reject(err) : resolve(stdout),
        );
      });
    // TypeScript, openapi-typescript and Redocly are required through generator/*.cjs (no ES module scan of TypeScript): those count.
    const heavy =
      /node_modules\/(prettier|openapi-typescript|@redocly\/openapi-core|typescript)\/|\/dist\/generator\/(typescript|openapi-typescript|redocly)\.cjs$/;

    // The built CLI's fingerprint is its own (dist/), so it writes the manifest it then checks.
    expect(await runCli(["--force"])).not.toContain("(inputs unchanged)");
    expect(
      readFileSync(log, "utf8")
        .split("\n")
        .some((u) => heavy.test(u)),
    ).toBe(true);

    await rm(log);
    expect(await runCli([])).toContain("(inputs unchanged)");
    const noop = readFileSync(log, "utf8").split("\n");
    expect(noop.some((u) => u.endsWith("/dist/generator/cli.js"))).toBe(true);
    expect(noop.filter((u) => heavy.test(u))).toEqual([]);
  }, 60_000);
});
