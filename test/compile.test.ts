/**
 * Every OpenAPI 3.x document in fixtures/corpus generates code that compiles under
 * `tsc --strict`, with both `moduleResolution: NodeNext` and `Bundler`; Swagger 2.0 and
 * invalid documents are refused with located diagnostics.
 *
 * All outputs are generated once (beforeAll) and checked by ONE tsc run per resolution
 * mode; tsc's output is split by output directory so a failure names the spec.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDiagnostic, generate, SpecError, type Diagnostic } from "../generator/index.js";
import { UNCHECKED } from "../generator/write.js";
import { discoverSpecs, INVALID, ROOT } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/compile");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
/** Files every output has (others, e.g. client.ts, may join them). */
const CORE_FILES = ["handlers.ts", "index.ts", "operations.ts", "register.ts", "schemas.ts", "spec.ts", "types.ts"];

const { valid, swagger, invalid } = discoverSpecs();

interface TscRun {
  code: number;
  /** Absolute paths of every file in the program (`--listFiles`). */
  files: Set<string>;
  /** Error lines (with their continuation lines) by output directory; "" for anything not inside one. */
  errors: Map<string, string[]>;
  output: string;
}

function runTsc(project: string): Promise<TscRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSC, "-p", project, "--pretty", "false", "--listFiles"],
      { cwd: OUT, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const output = stdout + stderr;
        const files = new Set<string>();
        const errors = new Map<string, string[]>();
        let last: string[] | undefined;
        for (const line of output.split(/\r?\n/)) {
          if (!line.trim()) continue;
          if (path.isAbsolute(line) && !/\(\d+,\d+\): /.test(line)) {
            files.add(path.normalize(line));
            continue;
          }
          const located = /^(.+?)\(\d+,\d+\): error /.exec(line);
          if (located || /^error /.test(line)) {
            const file = located ? path.resolve(OUT, located[1]!) : "";
            const rel = file ? path.relative(OUT, file).split(path.sep) : [];
            const dir = rel.length > 1 && rel[0] !== ".." ? rel.slice(0, -1).join("/") : "";
            last = errors.get(dir) ?? [];
            errors.set(dir, last);
            last.push(line);
          } else if (last && /^\s/.test(line)) last.push(line);
          else (errors.get("") ?? errors.set("", []).get("")!).push(line);
        }
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, files, errors, output });
      },
    );
  });
}

const MODES = {
  NodeNext: { module: "NodeNext", moduleResolution: "NodeNext" },
  Bundler: { module: "ESNext", moduleResolution: "Bundler" },
} as const;
type Mode = keyof typeof MODES;

const generated = new Map<string, { ok: true; files: string[] } | { ok: false; error: unknown }>();
const tsc = {} as Record<Mode, TscRun>;
/** Output files that carried the @ts-nocheck header (removed before tsc runs). */
const unchecked = new Set<string>();

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, "runtime/dist/index.d.ts"))) throw new Error("runtime/dist is missing: run `npm run build` first");
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const results = await Promise.allSettled(valid.map((s) => generate(s.abs, { out: path.join(OUT, s.name) })));
  results.forEach((r, i) =>
    generated.set(valid[i]!.name, r.status === "fulfilled" ? { ok: true, files: r.value.files.map((f) => f.name) } : { ok: false, error: r.reason }),
  );
  // Users' builds skip the zod tables' bodies (// @ts-nocheck); here every line is checked.
  for (const [name, result] of generated) {
    if (!result.ok) continue;
    for (const file of result.files) {
      const target = path.join(OUT, name, file);
      const text = await readFile(target, "utf8");
      if (text.includes(UNCHECKED)) {
        unchecked.add(`${name}/${file}`);
        await writeFile(target, text.replace(UNCHECKED + "\n", ""));
      }
    }
  }
  for (const [mode, options] of Object.entries(MODES)) {
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", lib: ["ES2023"], types: [], skipLibCheck: true, ...options },
      include: valid.map((s) => `${s.name}/*.ts`),
    };
    await writeFile(path.join(OUT, `tsconfig.${mode.toLowerCase()}.json`), JSON.stringify(tsconfig, null, 2));
  }
  const [nodeNext, bundler] = await Promise.all([runTsc("tsconfig.nodenext.json"), runTsc("tsconfig.bundler.json")]);
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
  it("only the zod tables (schemas.ts, operations.ts) skip users' type-checking, and every output has both", () => {
    const names = [...generated].filter(([, r]) => r.ok).map(([name]) => name);
    expect(names.length).toBeGreaterThan(10);
    expect([...unchecked].sort()).toEqual(names.flatMap((n) => [`${n}/operations.ts`, `${n}/schemas.ts`]).sort());
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
