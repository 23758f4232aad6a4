/**
 * Every OpenAPI 3.x document in fixtures/corpus generates code that compiles under
 * `tsc --strict`, with both `moduleResolution: NodeNext` and `Bundler`; Swagger 2.0 and
 * invalid documents are refused with located diagnostics.
 *
 * All outputs are generated once (beforeAll) and checked by ONE tsc run per resolution
 * mode; tsc's output is split by output directory so a failure names the spec.
 * The published corpus (fixtures/corpus/published.json, 45 documents) is type-checked the same
 * way, `@ts-nocheck` stripped, by test/compatibility.e2e.test.ts, which generates it anyway.
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, SpecError, type Diagnostic } from "../generator/index.js";
import { discoverSpecs, INVALID, ROOT } from "./helpers/specs.js";
import { checkProgram, stripUnchecked, type ProgramRun } from "./helpers/tsc.js";
import { writeDerivedChecks } from "./helpers/derived.js";

const OUT = path.join(ROOT, "test/.tmp/compile");
/** Files every output has (others, e.g. client.ts, may join them). */
const CORE_FILES = ["handlers.ts", "index.ts", "operations.ts", "register.ts", "schemas.ts", "spec.ts", "types.ts"];

const { valid, swagger, invalid } = discoverSpecs();

const MODES = {
  NodeNext: { module: "NodeNext", moduleResolution: "NodeNext" },
  Bundler: { module: "ESNext", moduleResolution: "Bundler" },
} as const;
type Mode = keyof typeof MODES;

const generated = new Map<string, { ok: true; files: string[] } | { ok: false; error: unknown }>();
const tsc = {} as Record<Mode, ProgramRun>;
/** Output files that carried the @ts-nocheck header (removed before tsc runs). */
const unchecked = new Set<string>();
/** Operations whose derived types derived-checks.ts compares with the spelled-out ones (test/helpers/derived.ts). */
let derived = 0;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, "runtime/dist/index.d.ts"))) throw new Error("runtime/dist is missing: run `npm run build` first");
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const results = await Promise.allSettled(valid.map((s) => generate(s.abs, { out: path.join(OUT, s.name) })));
  results.forEach((r, i) =>
    generated.set(valid[i]!.name, r.status === "fulfilled" ? { ok: true, files: r.value.files.map((f) => f.name) } : { ok: false, error: r.reason }),
  );
  // Users' builds skip the zod tables and the declarations (// @ts-nocheck); here every line is checked.
  for (const [name, result] of generated) {
    if (result.ok) for (const file of await stripUnchecked(path.join(OUT, name), result.files)) unchecked.add(`${name}/${file}`);
  }
  // Every operation's derived types (rt.RequestOf / rt.ResponseOf) against the spelled-out ones: tsc errors if any differ.
  for (const spec of valid) if (generated.get(spec.name)?.ok) derived += (await writeDerivedChecks(spec.abs, path.join(OUT, spec.name))).length;
  for (const [mode, options] of Object.entries(MODES)) {
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", lib: ["ES2023"], types: [], skipLibCheck: true, ...options },
      include: valid.map((s) => `${s.name}/*.ts`),
    };
    await writeFile(path.join(OUT, `tsconfig.${mode.toLowerCase()}.json`), JSON.stringify(tsconfig, null, 2));
  }
  const [nodeNext, bundler] = await Promise.all([checkProgram("tsconfig.nodenext.json", OUT), checkProgram("tsconfig.bundler.json", OUT)]);
  tsc.NodeNext = nodeNext;
  tsc.Bundler = bundler;
}, 900_000);

describe("discovery", () => {
  it("finds the OAI examples, the openapi-typescript fixtures (incl. multi-file) and DigitalOcean", () => {
    const names = valid.map((s) => s.rel);
    expect(names.filter((n) => n.startsWith("oai/v3."))).toHaveLength(8);
    expect(names).toEqual(
      expect.arrayContaining([
        "oai/v3.0-petstore.yaml",
        "oai/v3.1-webhook-example.yaml",
        "openapi-typescript-fixtures/redocly/openapi/a.yaml",
        "openapi-typescript-fixtures/yaml-merge.yaml",
        "openapi-typescript-fixtures/path-item-components.yaml",
        "digitalocean/DigitalOcean-public.v2.yaml",
      ]),
    );
    expect(names.some((n) => n.includes("/_"))).toBe(false);
    expect(swagger.map((s) => s.rel)).toEqual(["oai/v2.0-petstore.yaml", "oai/v2.0-uber.yaml"]);
    expect(invalid.map((s) => s.rel).sort()).toEqual(Object.keys(INVALID).sort());
  });
});

describe("type-check cost", () => {
  it("only the zod tables and the declarations (schemas, operations, handlers, client) skip users' type-checking, and every output has them", () => {
    const names = [...generated].filter(([, r]) => r.ok).map(([name]) => name);
    expect(names.length).toBeGreaterThan(10);
    const files = ["client.ts", "handlers.ts", "operations.ts", "schemas.ts"];
    expect([...unchecked].sort()).toEqual(names.flatMap((n) => files.map((f) => `${n}/${f}`)).sort());
  });

  it("derives each operation's types identical to the spelled-out ones (derived-checks.ts in every output, compiled below)", () => {
    expect(derived).toBeGreaterThan(400);
  });
});

describe.each(Object.keys(MODES) as Mode[])("tsc --strict --noEmit, moduleResolution %s", (mode) => {
  it("runs over every output and exits 0 with no diagnostics outside them", () => {
    const stray = tsc[mode].errors.get("") ?? [];
    expect(stray.join("\n")).toBe("");
    const failing = [...tsc[mode].errors.keys()].filter(Boolean);
    expect(failing, `specs whose output does not compile:\n${tsc[mode].output.slice(0, 4000)}`).toEqual([]);
    expect(tsc[mode].code).toBe(0);
  });

  it.each(valid.map((s) => [s.rel, s] as const))("%s", (_rel, spec) => {
    const result = generated.get(spec.name);
    expect(result, "not generated").toBeDefined();
    if (!result!.ok) throw result!.error;
    expect(result!.files).toEqual(expect.arrayContaining(CORE_FILES));
    for (const file of result!.files) {
      expect(tsc[mode].files.has(path.join(OUT, spec.name, file)), `${spec.name}/${file} is not in the tsc program`).toBe(true);
    }
    expect((tsc[mode].errors.get(spec.name) ?? []).join("\n"), `tsc errors in the output for ${spec.rel}`).toBe("");
  });
});

async function refusal(file: string, out: string, strict = true): Promise<SpecError> {
  const error = await generate(file, { out, strict }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  expect(existsSync(out), "nothing may be written for a refused document").toBe(false);
  return error as SpecError;
}

describe("refused documents", () => {
  it.each(swagger.map((s) => [s.rel, s] as const))("%s is converted from Swagger 2.0, and says so", async (_rel, spec) => {
    const result = await generate(spec.abs, { out: path.join(OUT, "converted", spec.name) });
    const note = result.warnings.find((w) => w.pointer === "#/swagger");
    expect(note?.message).toContain("Swagger 2.0 document converted to OpenAPI 3.0");
    expect(note?.file).toMatch(new RegExp(`${path.basename(spec.abs).replace(/\./g, "\\.")}$`));
    expect(result.model.openapiVersion).toMatch(/^3\.0\./);
    expect(result.model.operations.length).toBeGreaterThan(0);
  });

  it.each(invalid.map((s) => [s.rel, s] as const))("%s is refused with located diagnostics", async (rel, spec) => {
    const error = await refusal(spec.abs, path.join(OUT, "refused", spec.name));
    const expected = INVALID[rel]!;
    expect(error.diagnostics.length).toBeGreaterThan(0);
    for (const d of error.diagnostics) {
      expect(d.severity).toBe("error");
      expect(path.resolve(ROOT, d.file!)).toBe(spec.abs);
      expect(d.pointer).toMatch(/^#\//);
      expect(d.line).toBeGreaterThan(0);
    }
    const match = error.diagnostics.find((d: Diagnostic) => d.pointer === expected.pointer && expected.message.test(d.message));
    expect(match, `no diagnostic at ${expected.pointer} in:\n${error.message}`).toBeDefined();
    expect(match!.line).toBe(expected.line);
    expect(formatDiagnostic(match!)).toContain(`${match!.file}:${expected.line}:`);
    expect(error.message).toContain(`${match!.file}:${expected.line}:${match!.column} ${expected.pointer}: error:`);
  });

  it("refuses a document without `info` even when not strict, but generates one whose problems it can work around", async () => {
    const noInfo = invalid.find((s) => s.rel.endsWith("jsonschema-defs.yaml"))!;
    const refused = await refusal(noInfo.abs, path.join(OUT, "refused-lenient", noInfo.name), false);
    expect(refused.diagnostics.some((d) => d.pointer === "#/" && /`info`/.test(d.message))).toBe(true);
    const noResponses = invalid.find((s) => s.rel.endsWith("parameters-test.yaml"))!;
    const result = await generate(noResponses.abs, { out: path.join(OUT, "lenient", noResponses.name) });
    expect(result.warnings.some((w) => w.pointer === "#/paths/~1endpoint/get" && /`responses` must be present/.test(w.message) && w.line === 17)).toBe(true);
  });
});
