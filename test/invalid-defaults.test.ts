/**
 * Defaults their own schema rejects (fixtures/invalid-defaults.yaml, issue 14 item 5): the CLI warns
 * once for each, located; the output compiles under tsc --strict without `@ts-nocheck`; and a
 * parameter whose default was dropped is absent when not sent, through the full decode path.
 */
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { dropInvalidDefaults } from "../generator/load/defaults.js";
import { UNCHECKED } from "../generator/write.js";
import { BIN } from "./helpers/dev-cli.js";
import { ROOT } from "./helpers/specs.js";
import { typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/invalid-defaults");
const GENERATED = path.join(OUT, "generated");
let stderr = "";
let code: number | null = null;

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  ({ code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
    execFile(process.execPath, [BIN, "generate", "fixtures/invalid-defaults.yaml", "--out", GENERATED], { cwd: ROOT }, (err, _out, errText) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: errText }),
    ),
  ));
  for (const file of ["operations.ts", "schemas.ts"]) {
    const target = path.join(GENERATED, file);
    await writeFile(target, (await readFile(target, "utf8")).replace(UNCHECKED + "\n", ""));
  }
  copyFileSync(path.join(ROOT, "fixtures/invalid-defaults-usage.ts"), path.join(GENERATED, "usage.ts"));
}, 60_000);

describe("defaults that do not match their schema", () => {
  it("are dropped with one located warning each (file:line:column, JSON pointer), and generation proceeds", () => {
    expect(code).toBe(0);
    const warnings = stderr.split("\n").filter((l) => l.includes("default"));
    expect(warnings).toEqual([
      "fixtures/invalid-defaults.yaml:16:22 #/paths/~1items/get/parameters/0/schema/default: warning: default null does not match its schema (null, not string); it is left out",
      'fixtures/invalid-defaults.yaml:23:22 #/paths/~1items/get/parameters/1/schema/default: warning: default "true" does not match its schema (string, not array); it is left out',
      'fixtures/invalid-defaults.yaml:28:22 #/paths/~1items/get/parameters/2/schema/default: warning: default "false - DELETE" does not match its schema (string, not boolean); it is left out',
    ]);
  });

  it("the output compiles under tsc --strict without @ts-nocheck", async () => {
    expect(await typeCheck(OUT, ["generated/*.ts"])).toBe("");
  }, 60_000);

  it("a parameter whose default was dropped is absent when not sent; valid defaults stay", async () => {
    const gen = await import(pathToFileURL(path.join(GENERATED, "index.ts")).href);
    const { handlers } = await import(pathToFileURL(path.join(GENERATED, "usage.ts")).href);
    const client = gen.createLocalClient(handlers);
    const res = await client.listItems({ query: {} });
    expect(res).toMatchObject({ status: 200 });
    expect(res.body).toEqual({ limit: 20 });
    const sent = await client.listItems({ query: { owner: "ann", tags: ["a"], purge: false } });
    expect(sent.body).toEqual({ owner: "ann", tags: ["a"], purge: false, limit: 20 });
  });
});

describe("dropInvalidDefaults", () => {
  const op = (schema: unknown) => ({
    get: {
      parameters: [{ name: "p", in: "query", schema }],
      responses: { default: { description: "any", content: { "application/json": { schema: { type: "integer", default: "x" }, example: { default: 1 } } } } },
    },
  });
  const run = (version: string, schema: unknown, components: Record<string, unknown> = {}) => {
    const doc = { openapi: version, paths: { "/x": op(schema) }, components: { schemas: components } };
    return { pointers: dropInvalidDefaults(doc, version).map((d) => d.pointer), doc };
  };

  it("keeps what the schema accepts: 3.0 nullable, 3.1 type lists, enum members, a $ref's target", () => {
    expect(run("3.0.3", { type: "string", nullable: true, default: null }).pointers).toEqual([
      "#/paths/~1x/get/responses/default/content/application~1json/schema/default",
    ]);
    expect(run("3.1.0", { type: ["string", "null"], default: null }).pointers).toHaveLength(1);
    expect(run("3.0.3", { type: "string", enum: ["a", "b"], default: "b" }).pointers).toHaveLength(1);
    expect(run("3.0.3", { $ref: "#/components/schemas/N", default: 3 }, { N: { type: "number", minimum: 1 } }).pointers).toHaveLength(1);
    expect(run("3.0.3", { type: "array", items: { type: "integer" }, default: [1, 2] }).pointers).toHaveLength(1);
  });

  it("drops what it surely rejects: enum, bounds, items, a $ref's target, closed objects, no anyOf branch", () => {
    const param = "#/paths/~1x/get/parameters/0/schema/default";
    expect(run("3.0.3", { type: "string", enum: ["a"], default: "b" }).pointers).toContain(param);
    expect(run("3.0.3", { type: "integer", minimum: 1, exclusiveMinimum: true, default: 1 }).pointers).toContain(param);
    expect(run("3.0.3", { type: "array", items: { type: "integer" }, default: [1, "2"] }).pointers).toContain(param);
    expect(run("3.0.3", { $ref: "#/components/schemas/N", default: 0 }, { N: { type: "number", minimum: 1 } }).pointers).toContain(param);
    expect(run("3.0.3", { type: "object", properties: { a: {} }, additionalProperties: false, default: { b: 1 } }).pointers).toContain(param);
    expect(run("3.0.3", { anyOf: [{ type: "string" }, { type: "integer" }], default: true }).pointers).toContain(param);
    const { doc } = run("3.0.3", { type: "string", default: 1 });
    expect(doc.paths["/x"].get.parameters[0]!.schema).toEqual({ type: "string" });
    // Examples are data: a `default` key inside one is left alone.
    expect(doc.paths["/x"].get.responses.default.content["application/json"].example).toEqual({ default: 1 });
  });
});
