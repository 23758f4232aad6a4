/**
 * The generator's API from a TypeScript script run with tsx, as users run build scripts: the
 * generator loads TypeScript, openapi-typescript and Redocly through CommonJS modules
 * (generator/*.cjs), and a loader that honours `__esModule` (tsx, bundlers) read no default export
 * from Redocly's and openapi-typescript's (`bench:check` failed on it: "Cannot destructure property
 * 'bundleDocument'"). Runs the built package (dist/), as an installed one would be.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./helpers/exec.js";
import { ROOT } from "./helpers/specs.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the generator API under tsx", () => {
  it("loads, generates and writes every file of a document", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "api-tsx-"));
    dirs.push(dir);
    const api = pathToFileURL(path.join(ROOT, "dist/generator/index.js")).href;
    // Several files: bundled by Redocly's bundler, through generator/redocly.cjs.
    const spec = path.join(ROOT, "fixtures/corpus/openapi-typescript-fixtures/parameters-test.yaml");
    const script = path.join(dir, "generate.mts");
    await writeFile(
      script,
      `import { generate } from ${JSON.stringify(api)};\n` +
        `const result = await generate(${JSON.stringify(spec)}, { out: ${JSON.stringify(path.join(dir, "out"))} });\n` +
        `console.log(JSON.stringify({ operations: result.model.operations.length, written: result.written.length }));\n`,
    );
    const stdout = await exec(process.execPath, ["--import", "tsx", script], { cwd: ROOT });
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ operations: 1, written: 8 });
    expect((await readdir(path.join(dir, "out"))).sort()).toEqual(
      [".symphony-codegen.json", "client.ts", "handlers.ts", "index.ts", "operations.ts", "register.ts", "schemas.ts", "spec.ts", "types.ts"].sort(),
    );
  }, 120_000);
});
