/**
 * The command line as users run it (`node bin/symphony-codegen.js`, the built CLI: `npm run build`
 * first) in a fresh directory: --version, symphony.config.json / .ts driving `generate` with no
 * arguments, flags winning over the config, config errors naming file and field, emitters
 * switched off (and --check agreeing), operation name overrides, several specs.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { readManifest } from "../generator/write.js";
import { thingSpec } from "./helpers/thing-spec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Inside the repository, so that a config's `import ... from "symphony-codegen"` resolves (the package's self-reference).
const TMP = path.join(ROOT, "test/.tmp/cli-config");
const CLI = path.join(ROOT, "bin/symphony-codegen.js");
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const SPEC = `${thingSpec("Config", "#/components/schemas/Thing")}components:
  schemas:
    Thing:
      type: object
      properties:
        id: { type: integer }
`;

const WEBHOOK_SPEC = `openapi: 3.1.0
info: { title: Hooks, version: 1.0.0 }
paths: {}
webhooks:
  thingCreated:
    post:
      operationId: thingCreated
      requestBody:
        content:
          application/json:
            schema: { type: object, properties: { id: { type: integer } } }
      responses:
        "204": { description: received }
`;

let n = 0;
let dir: string;

beforeEach(async () => {
  dir = path.join(TMP, `case-${process.pid}-${n++}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "openapi.yaml"), SPEC);
});

function run(
  args: string[],
  cwd = dir,
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, CLI, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const file = (...parts: string[]) => path.join(dir, ...parts);
const read = (...parts: string[]) => readFileSync(file(...parts), "utf8");
const json = (value: unknown) => JSON.stringify(value, null, 2);

describe("--version", () => {
  it("prints package.json's version (--version and -V)", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(VERSION);
    }
  });
});

describe("V8 flags", () => {
  const flagsLine = (stderr: string) => /V8 flags set for generation: (.*)/.exec(stderr)?.[1];
  const threadLine = (stderr: string) => /generation thread: (.*)/.exec(stderr)?.[1];

  it("generate tunes the collector and the optimizing compiler for a batch job (shown with --timings)", async () => {
    const r = await run(["generate", "openapi.yaml", "--out", "gen", "--timings"], dir, { ...process.env, NODE_OPTIONS: "" });
    expect(r.code).toBe(0);
    expect(flagsLine(r.stderr)).toBe("--heap-growing-percent=40 --interrupt-budget=1000000 --expose-gc");
    // On a thread of its own: a small young generation, a deep stack, the process's heap limit.
    expect(threadLine(r.stderr)).toMatch(/^young generation 12 MiB, heap limit \d+ MiB, stack 512 MiB$/);
  });

  it("a run with nothing to generate stays on the main thread (no thread start-up for a no-op)", async () => {
    expect((await run(["generate", "openapi.yaml", "--out", "gen", "--force"])).code).toBe(0);
    const again = await run(["generate", "openapi.yaml", "--out", "gen", "--timings"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("(inputs unchanged)");
    expect(threadLine(again.stderr)).toBeUndefined();
  });

  it("flags the user set (node's arguments, NODE_OPTIONS) win over generate's own", async () => {
    const r = await run(["generate", "openapi.yaml", "--out", "gen", "--timings"], dir, process.env, ["--interrupt-budget=50000", "--max-semi-space-size=8"]);
    expect(r.code).toBe(0);
    expect(flagsLine(r.stderr)).toBe("--heap-growing-percent=40 --expose-gc");
    expect(threadLine(r.stderr)).not.toContain("young generation 12 MiB");
    const heap = await run(["generate", "openapi.yaml", "--out", "gen", "--timings", "--force"], dir, {
      ...process.env,
      NODE_OPTIONS: "--max-old-space-size=3000",
    });
    expect(heap.code).toBe(0);
    expect(flagsLine(heap.stderr)).toBe("--interrupt-budget=1000000 --expose-gc");
    // The generation thread keeps the process's heap limit (a worker's own default is 4 GiB).
    expect(Number(/heap limit (\d+) MiB/.exec(threadLine(heap.stderr) ?? "")?.[1])).toBeGreaterThanOrEqual(3000);
    expect(Number(/heap limit (\d+) MiB/.exec(threadLine(heap.stderr) ?? "")?.[1])).toBeLessThan(3100);
  });
});

describe("config file", () => {
  it("symphony.config.json drives `generate` with no arguments (paths relative to the config file)", async () => {
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "src/generated", runtimeImport: "from-json-config" }));
    // Run from the directory the config is in: it is found there.
    const r = await run(["generate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 operations → src/generated: 8 written");
    expect(read("src/generated/register.ts")).toContain('"from-json-config"');
    // The same config named with --config from elsewhere: still relative to the config file.
    const again = await run(["generate", "--config", file("symphony.config.json"), "--check"], ROOT);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("up to date (8 files)");
  });

  it("symphony.config.ts (TypeScript syntax, defineConfig from the package root) is transpiled and drives generation", async () => {
    await writeFile(
      file("symphony.config.ts"),
      [
        `import { defineConfig, type SymphonyConfig } from "symphony-codegen";`,
        `const out: string = "ts-out";`,
        `interface Extra { note: string }`,
        `export default defineConfig({ spec: "openapi.yaml", out, runtimeImport: "from-ts-config" } satisfies SymphonyConfig);`,
        ``,
      ].join("\n"),
    );
    const r = await run(["generate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read("ts-out/register.ts")).toContain('"from-ts-config"');
    // The transpiled module is imported from next to the config, then removed.
    expect(readdirSync(dir).sort()).toEqual(["openapi.yaml", "symphony.config.ts", "ts-out"]);
    // A second run (transpiled text cached) is the no-op.
    const second = await run(["generate"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("(inputs unchanged)");
  });

  it("an .mjs config works too, and a command-line flag wins over the config", async () => {
    await writeFile(file("symphony.config.mjs"), `export default { spec: "openapi.yaml", out: "gen", runtimeImport: "from-config", strict: true };\n`);
    const r = await run(["generate", "--runtime-import", "from-flag", "--out", "flag-out", "--no-strict"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read("flag-out/register.ts")).toContain('"from-flag"');
    expect(read("flag-out/register.ts")).not.toContain("from-config");
    expect(existsSync(file("gen"))).toBe(false);
    const manifest = await readManifest(file("flag-out"));
    expect(manifest?.options).toMatchObject({ runtimeImport: "from-flag", strict: false });
    // Without the flags, the config's values.
    expect((await run(["generate"])).code).toBe(0);
    expect(read("gen/register.ts")).toContain('"from-config"');
    expect((await readManifest(file("gen")))?.options).toMatchObject({ strict: true });
  });

  it("a spec argument with a config uses the config's options for it", async () => {
    await writeFile(file("other.yaml"), SPEC.replace("title: Config", "title: Other"));
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen", runtimeImport: "cfg-runtime" }));
    const r = await run(["generate", "other.yaml"]);
    expect(r.code).toBe(0);
    expect(read("gen/spec.ts")).toContain("Other");
    expect(read("gen/register.ts")).toContain('"cfg-runtime"');
  });

  it("an invalid field: exit 1, the message names the config file and each field; nothing is written", async () => {
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen", strict: "yes", emit: { clinet: false }, specz: [] }));
    const r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('symphony.config.json: field "strict": expected boolean, received string');
    expect(r.stderr).toContain('symphony.config.json: field "emit": unknown field "clinet" (known: client, register, spec, webhooks)');
    expect(r.stderr).toMatch(/symphony\.config\.json: config: unknown field "specz"/);
    expect(existsSync(file("gen"))).toBe(false);
  });

  it("a .ts config with a wrong value, a missing spec, or no default export: exit 1 with the file and field", async () => {
    await writeFile(file("symphony.config.ts"), `export default { spec: "openapi.yaml", out: 42 };\n`);
    let r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('symphony.config.ts: field "out": expected string, received number');

    await writeFile(file("symphony.config.ts"), `export default { out: "gen" };\n`);
    r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('symphony.config.ts: field "spec": missing');

    await writeFile(file("symphony.config.ts"), `export const config = { spec: "openapi.yaml", out: "gen" };\n`);
    r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("symphony.config.ts: no default export");

    await writeFile(file("symphony.config.ts"), `export default { spec: "openapi.yaml", out: "gen", emit: { spec: false } };\n`);
    r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('symphony.config.ts: field "emit": spec: false needs register: false too');
    expect(existsSync(file("gen"))).toBe(false);
  });

  it("two config files in one directory, or a --config that does not exist: a clear error", async () => {
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen" }));
    await writeFile(file("symphony.config.mjs"), `export default { spec: "openapi.yaml", out: "gen" };\n`);
    let r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("found symphony.config.mjs and symphony.config.json");
    r = await run(["generate", "--config", "nope.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.json: config file not found");
  });

  it("no spec and no config: says how to run it", async () => {
    const r = await run(["generate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no spec: run "symphony-codegen generate <spec> --out <dir>"');
  });
});

describe("emit and naming options", () => {
  it("emit.client false: no client.ts, index.ts does not export it, the manifest records it and --check agrees", async () => {
    // First with the client, then switched off: the generated client.ts is removed.
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen" }));
    expect((await run(["generate"])).code).toBe(0);
    expect(existsSync(file("gen/client.ts"))).toBe(true);

    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen", emit: { client: false } }));
    const r = await run(["generate"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 removed");
    expect(existsSync(file("gen/client.ts"))).toBe(false);
    expect(read("gen/index.ts")).not.toContain("client");
    expect((await readManifest(file("gen")))?.options.emit).toEqual({ client: false });

    // --check with the same config: up to date (fast path and full path); with the client on: stale.
    let check = await run(["generate", "--check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("up to date (7 files)");
    check = await run(["generate", "--check", "--force"]);
    expect(check.code).toBe(0);
    await writeFile(file("client-on.json"), json({ spec: "openapi.yaml", out: "gen" }));
    check = await run(["generate", "--check", "--config", "client-on.json"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("client.ts: differs");
    expect(check.stderr).toContain("index.ts: differs");
  });

  it("emit.register and emit.spec false: neither file, and no other file imports them", async () => {
    await writeFile(file("symphony.config.json"), json({ spec: "openapi.yaml", out: "gen", emit: { register: false, spec: false } }));
    expect((await run(["generate"])).code).toBe(0);
    const files = readdirSync(file("gen"))
      .filter((f) => f.endsWith(".ts"))
      .sort();
    expect(files).toEqual(["client.ts", "handlers.ts", "index.ts", "operations.ts", "schemas.ts", "types.ts"]);
    for (const f of files) expect(read("gen", f)).not.toMatch(/from "\.\/(register|spec)\.js"/);
  });

  it("emit.webhooks false: no webhook handlers, table, registration or client", async () => {
    await writeFile(file("hooks.yaml"), WEBHOOK_SPEC);
    await writeFile(
      file("symphony.config.json"),
      json({
        specs: [
          { spec: "hooks.yaml", out: "with" },
          { spec: "hooks.yaml", out: "without", emit: { webhooks: false } },
        ],
      }),
    );
    const r = await run(["generate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read("with/handlers.ts")).toContain("WebhookHandlers");
    expect(read("with/register.ts")).toContain("registerWebhooks");
    for (const f of ["handlers.ts", "register.ts", "operations.ts", "client.ts"])
      expect(read("without", f)).not.toMatch(/WebhookHandlers|registerWebhooks|webhookTable|createWebhookClient/);
  });

  it("naming.operations renames the handler and types; the endpoint (wire name) stays", async () => {
    await writeFile(
      file("symphony.config.json"),
      json({ spec: "openapi.yaml", out: "gen", naming: { operations: { getThing: "fetchOneThing", unknownOp: "x" } } }),
    );
    const r = await run(["generate"]);
    expect(r.code).toBe(0);
    expect(read("gen/handlers.ts")).toContain("fetchOneThing: OperationHandler<FetchOneThingRequest, FetchOneThingResponse>;");
    expect(read("gen/handlers.ts")).toContain("FetchOneThing");
    expect(read("gen/handlers.ts")).not.toMatch(/\bgetThing\(/);
    // The operation's row (rt.OperationRow): handler, then endpoint.
    expect(read("gen/operations.ts")).toMatch(/\[\s*"fetchOneThing",\s*"getThing",/);
    // An override that matches nothing is a warning, not silence.
    expect(r.stderr).toContain('naming.operations: "unknownOp" matches no operation');
    expect((await readManifest(file("gen")))?.options.naming).toEqual({ operations: { getThing: "fetchOneThing", unknownOp: "x" } });
  });

  it("specs: several documents, each to its own out; top-level options are their defaults; --out with several is an error", async () => {
    await writeFile(file("b.yaml"), SPEC.replace("title: Config", "title: Second"));
    await writeFile(
      file("symphony.config.json"),
      json({
        runtimeImport: "shared-runtime",
        specs: [
          { spec: "openapi.yaml", out: "a" },
          { spec: "b.yaml", out: "b", runtimeImport: "own-runtime" },
        ],
      }),
    );
    const r = await run(["generate"]);
    expect(r.code).toBe(0);
    expect(read("a/register.ts")).toContain('"shared-runtime"');
    expect(read("b/register.ts")).toContain('"own-runtime"');
    expect(read("b/spec.ts")).toContain("Second");
    const bad = await run(["generate", "--out", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--out with 2 specs");
    // A spec argument picks its entry.
    const one = await run(["generate", "b.yaml", "--check"]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain("b: up to date");
    expect(one.stdout).not.toContain("a: up to date");
  });
});
