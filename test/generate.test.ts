/**
 * The generator's contract, without NATS: snapshots of every fixture, byte-stable and
 * prettier-stable output, writes only when content changed (and `--check`), located
 * diagnostics for bad input, and hostile strings that are escaped, never pasted.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildModel, emitFiles, formatDiagnostic, generate, loadSpec, SpecError, type GenerateResult } from "../generator/index.js";
import { main } from "../generator/cli.js";
import { UNCHECKED } from "../generator/write.js";
import { writeDerivedChecks } from "./helpers/derived.js";
import { exampleSpecs } from "./helpers/specs.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = path.join(ROOT, "fixtures");
const INVALID = path.join(FIXTURES, "invalid");
const SPECS = path.resolve(ROOT, "fixtures/corpus");
const OUT = path.join(ROOT, "test/.tmp/generate");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const HOSTILE = path.join(FIXTURES, "hostile.yaml");
/** Files every output has (others, e.g. client.ts, may join them). */
const CORE_FILES = ["handlers.ts", "index.ts", "operations.ts", "register.ts", "schemas.ts", "spec.ts", "types.ts"];

const fixtures = readdirSync(FIXTURES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => ({ file: path.join(FIXTURES, f), name: f.replace(/\.ya?ml$/, "") }));

const fixtureResults = new Map<string, GenerateResult>();
/** Operations whose derived types derived-checks.ts compares with the spelled-out ones, by fixture. */
const derivedOperations = new Map<string, number>();
/** Must not compile: a derived response missing a member, a request with a body it does not have, a client method with other parameters or result. */
const MUTATED_DERIVATION = [
  "// @ts-expect-error: the derived response is not the spelled-out one without its 200 member",
  "export type MutatedResponse = Expect<Identical<Derived.ShowPetByIdResponse, Exclude<Explicit.ShowPetByIdResponse, { status: 200 }>>>;",
  "// @ts-expect-error: nor is the derived request one with another body",
  'export type MutatedRequest = Expect<Identical<Derived.ShowPetByIdRequest, Omit<Explicit.ShowPetByIdRequest, "body"> & { body: string }>>;',
  "// @ts-expect-error: the derived client method's req is required, not optional",
  'export type MutatedClientRequest = Expect<Identical<Parameters<DerivedClient.Client["showPetById"]>, Partial<Parameters<ExplicitClient.Client["showPetById"]>>>>;',
  "// @ts-expect-error: nor does it resolve to the response without its 200 member",
  'export type MutatedClientResponse = Expect<Identical<ReturnType<DerivedClient.Client["showPetById"]>, Promise<Exclude<Explicit.ShowPetByIdResponse, { status: 200 }>>>>;',
].join("\n");
let typedResult: GenerateResult;
let tscRun: Promise<{ code: number; output: string }>;

/** Escapes like a careful emitter would, independently of generator/names.ts. */
const lit = (s: string) => JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
const union = (values: string[]) => values.map(lit).join(" | ");

const hostileRaw = parseYaml(readFileSync(HOSTILE, "utf8")) as any;
const LOCATION_FIELDS: [location: string, field: string][] = [
  ["path", "path"],
  ["query", "query"],
  ["header", "headers"],
  ["cookie", "cookies"],
];
const HOSTILE_HANDLERS = ["getPet", "getPet2", "delete_", "class_", "constructor_", "_123start", "evilOpX", "proto", "toString_", "requestOf", "operationHandler", "responseOf"];

/** Type-level checks on the hostile output: its names are the spec's strings, exactly. */
function hostileTypeChecks(): string {
  const schemas = hostileRaw.components.schemas;
  const rawPath = Object.keys(hostileRaw.paths)[0]!;
  const get = hostileRaw.paths[rawPath].get;
  const names = (where: string) => get.parameters.filter((p: any) => p.in === where).map((p: any) => p.name);
  const op = `paths[${lit(rawPath)}]["get"]`;
  const post = `paths[${lit(rawPath)}]["post"]`;
  const ok = `${op}["responses"][200]`;
  const okJson = lit(Object.keys(get.responses["200"].content)[0]!);
  const content = (of: string) => `${of}[keyof ${of}]`;
  // handlers.ts reaches these types by shorter routes (components["schemas"][…], operations[…]):
  // they must be the very types the path's own entries give.
  const sameAsPath = [
    ...LOCATION_FIELDS.map(([location, field]) => `  Expect<Equal<GetPetRequest[${lit(field)}], NonNullable<${op}["parameters"][${lit(location)}]>>>,`),
    `  Expect<Equal<GetPetResponse["body"], ${content(`${ok}["content"]`)} | ${op}["responses"]["default"]["content"]["application/json"] | undefined>>,`,
    `  Expect<Equal<Extract<GetPetResponse, { status: 200; contentType?: ${okJson} }>["body"], ${ok}["content"][${okJson}]>>,`,
    `  Expect<Equal<GetPetResponse["headers"], ${ok}["headers"] | rt.ResponseHeaders | undefined>>,`,
    `  Expect<Equal<GetPet2Request["body"], ${content(`NonNullable<${post}["requestBody"]>["content"]`)}>>,`,
    `  Expect<Equal<GetPet2Request["path"], ${post}["parameters"]["path"]>>,`,
  ];
  // Builders: a named one per declared status with a name (4XX: every named 4xx; not `default`).
  const named4xx = "badRequest unauthorized paymentRequired forbidden notFound methodNotAllowed notAcceptable requestTimeout conflict gone";
  const builders = [
    `  Expect<Equal<keyof typeof GetPet, ${union(["status", "ok", ...named4xx.split(" "), "preconditionFailed", "contentTooLarge"])} | ${union(["unsupportedMediaType", "unprocessableContent", "tooManyRequests"])}>>,`,
    `  Expect<Equal<keyof typeof GetPet2, "status" | "noContent">>,`,
    `  Expect<Equal<Parameters<(typeof GetPet2)["status"]>[0], 204>>,`,
    `  Expect<Equal<ReturnType<(typeof GetPet)["notFound"]>, GetPetResponse>>,`,
  ];
  return [
    `import type { GetPet, GetPet2, GetPet2Request, GetPetRequest, GetPetResponse, Handlers, components, paths } from "./fixtures/hostile/index.js";`,
    `import type * as rt from "@symphony-codegen/runtime";`,
    "type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;",
    "type Expect<T extends true> = T;",
    "export type Checks = [",
    `  Expect<Equal<keyof Handlers, ${union(HOSTILE_HANDLERS)}>>,`,
    `  Expect<Equal<keyof paths, ${union(Object.keys(hostileRaw.paths))}>>,`,
    `  Expect<Equal<keyof components["schemas"], ${union(Object.keys(schemas))}>>,`,
    `  Expect<Equal<keyof components["schemas"]["Weird"], ${union(Object.keys(schemas.Weird.properties))}>>,`,
    `  Expect<Equal<components["schemas"]["Enum"], ${union(schemas.Enum.enum)}>>,`,
    `  Expect<Equal<keyof NonNullable<${op}["parameters"]["query"]>, ${union(names("query"))}>>,`,
    `  Expect<Equal<keyof NonNullable<${op}["parameters"]["header"]>, ${union(names("header"))}>>,`,
    `  Expect<Equal<keyof NonNullable<${op}["parameters"]["cookie"]>, ${union(names("cookie"))}>>,`,
    `  Expect<Equal<${ok}["headers"][${lit("X-Rate*/Limit")}], number>>,`,
    `  Expect<Equal<${ok}["headers"][${lit('x-`${x}`-"h"')}], string | undefined>>,`,
    `  Expect<Equal<keyof ${ok}["content"], ${union(Object.keys(get.responses["200"].content))}>>,`,
    ...sameAsPath,
    ...builders,
    "];",
    "",
  ].join("\n");
}

/**
 * A document with one schema of each kind whose parse type differs: plain, with defaults, with
 * readOnly/writeOnly (used in requests and responses), a discriminated union, a binary string, a
 * reference to something other than a component.
 */
const TYPED_SPEC = `openapi: 3.1.0
info: { title: typed, version: 1.0.0 }
paths:
  /todos:
    post:
      operationId: addTodo
      requestBody: { required: true, content: { application/json: { schema: { $ref: "#/components/schemas/Account" } } } }
      responses:
        "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/Account" } } } }
    put:
      operationId: putPart
      requestBody: { content: { application/json: { schema: { $ref: "#/components/schemas/Todo/properties/tags" } } } }
      responses: { "204": { description: stored } }
components:
  schemas:
    Todo:
      type: object
      required: [title]
      properties:
        title: { type: string }
        done: { type: boolean, default: false }
        tags: { type: array, items: { type: string } }
    Account:
      type: object
      required: [id, name, password]
      properties:
        id: { type: integer, readOnly: true }
        name: { type: string }
        password: { type: string, writeOnly: true }
    Shape:
      oneOf: [{ $ref: "#/components/schemas/Circle" }, { $ref: "#/components/schemas/Square" }]
      discriminator: { propertyName: kind, mapping: { circle: "#/components/schemas/Circle", square: "#/components/schemas/Square" } }
    Circle: { type: object, required: [kind, r], properties: { kind: { type: string }, r: { type: number } } }
    Square: { type: object, required: [kind, side], properties: { kind: { type: string }, side: { type: number } } }
    Gallery: { type: object, properties: { shapes: { type: array, items: { $ref: "#/components/schemas/Shape" } } } }
    Drawing: { type: object, properties: { main: { $ref: "#/components/schemas/Shape" }, extra: { $ref: "#/components/schemas/Circle" } } }
    Pet: { type: object, required: [petType], properties: { petType: { type: string } }, discriminator: { propertyName: petType } }
    Dog: { allOf: [{ $ref: "#/components/schemas/Pet" }, { type: object, properties: { bark: { type: boolean } } }] }
    Bag: { type: object, properties: { meta: { type: object } } }
    "Pet Name": { type: object, properties: { n: { type: string } } }
    Named: { type: object, properties: { pet: { $ref: "#/components/schemas/Pet%20Name" } } }
    Closed: { type: object, additionalProperties: false }
    Upload: { type: object, required: [file], properties: { file: { type: string, format: binary } } }
    Holder: { type: object, properties: { upload: { $ref: "#/components/schemas/Upload" } } }
`;

/** What `Schema.parse(x)` returns, checked by tsc against types.ts (users' build: schemas.ts keeps its @ts-nocheck). */
const TYPED_CHECKS = `import type { z } from "@symphony-codegen/runtime";
import type * as rt from "@symphony-codegen/runtime";
import type { components } from "./typed/types.js";
import * as s from "./typed/schemas.js";
import { AccountSchemaForRequest, TodoSchema } from "./typed/schemas.js";
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type C = components["schemas"];
export type Checks = [
  Expect<Equal<ReturnType<typeof TodoSchema.parse>, C["Todo"]>>,
  Expect<Equal<z.output<typeof s.AccountSchema>, rt.Unmarked<C["Account"]>>>,
  Expect<Equal<z.output<typeof s.AccountSchemaForRequest>, rt.Writable<C["Account"]>>>,
  Expect<Equal<z.output<typeof s.AccountSchemaForResponse>, rt.Readable<C["Account"]>>>,
  // The union picks the alternative by the discriminator, as the types' literals say.
  Expect<Equal<z.output<typeof s.ShapeSchema>, C["Shape"]>>,
  Expect<Equal<z.output<typeof s.GallerySchema>, C["Gallery"]>>,
  Expect<Equal<z.output<typeof s.PetSchema>, C["Pet"]>>,
  // types.ts narrows \`kind\` to "circle" (and Dog's petType to "Dog"), which these schemas do not check: unknown.
  Expect<Equal<z.output<typeof s.CircleSchema>, unknown>>,
  Expect<Equal<z.output<typeof s.DrawingSchema>, unknown>>,
  Expect<Equal<z.output<typeof s.DogSchema>, unknown>>,
  // types.ts: \`meta?: Record<string, never>\`, while any property is accepted: unknown. Closed really is empty.
  Expect<Equal<z.output<typeof s.BagSchema>, unknown>>,
  Expect<Equal<z.output<typeof s.ClosedSchema>, C["Closed"]>>,
  // A percent-encoded reference names the component it decodes to.
  Expect<Equal<z.output<typeof s.NamedSchema>, C["Named"]>>,
  Expect<Equal<z.output<typeof s.Pet20NameSchema>, C["Pet Name"]>>,
  // Checked as strings, typed Uint8Array in types.ts: unknown.
  Expect<Equal<z.output<typeof s.UploadSchema>, unknown>>,
  Expect<Equal<z.output<typeof s.HolderSchema>, unknown>>,
  // A reference into a component's inside names a component of its own (generator/hoist.ts).
  Expect<Equal<z.output<typeof s.TodoTagsSchema>, C["Todo.tags"]>>,
];
/**
 * Not any: an annotation naming no type of types.ts (a misspelt key) is an error type in a
 * @ts-nocheck file, which Equal takes for anything; assigning it to a number then compiles, so each
 * directive below would be unused (TS2578).
 */
export function notAny(v: unknown): number[] {
  // @ts-expect-error: a Todo is not a number
  const a: number = TodoSchema.parse(v);
  // @ts-expect-error: nor an Account
  const b: number = AccountSchemaForRequest.parse(v);
  // @ts-expect-error: nor a "Pet Name" (reached as "#/components/schemas/Pet%20Name")
  const c: number = s.Pet20NameSchema.parse(v);
  // @ts-expect-error: nor a Shape
  const d: number = s.ShapeSchema.parse(v);
  return [a, b, c, d];
}

/** As a user writes it: no cast. */
export function firstOpen(values: unknown[]): string | undefined {
  const todos = values.map((v) => TodoSchema.parse(v));
  const account: { name: string; password: string } = AccountSchemaForRequest.parse(values[0]);
  return todos.find((t) => !t.done)?.title ?? account.name;
}
`;

function runTsc(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, "-p", "tsconfig.json", "--pretty", "false"], { cwd: OUT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  for (const f of fixtures) {
    const dir = path.join(OUT, "fixtures", f.name);
    fixtureResults.set(f.name, await generate(f.file, { out: dir }));
    // handlers.ts and client.ts are only declarations; checked here (users' builds skip them), so
    // that none of the checks below compares against a type tsc could not resolve (any).
    for (const file of ["handlers.ts", "client.ts"]) {
      const target = path.join(dir, file);
      if (existsSync(target)) await writeFile(target, (await readFile(target, "utf8")).replace(UNCHECKED + "\n", ""));
    }
    derivedOperations.set(f.name, (await writeDerivedChecks(f.file, dir, f.name === "snapshot-basic" ? MUTATED_DERIVATION : undefined)).length);
  }
  await writeFile(path.join(OUT, "hostile-checks.ts"), hostileTypeChecks());
  await writeFile(path.join(OUT, "typed.yaml"), TYPED_SPEC);
  typedResult = await generate(path.join(OUT, "typed.yaml"), { out: path.join(OUT, "typed") });
  await writeFile(path.join(OUT, "typed-checks.ts"), TYPED_CHECKS);
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], types: [], skipLibCheck: true },
    include: ["fixtures/*/*.ts", "hostile-checks.ts", "typed/*.ts", "typed-checks.ts"],
  };
  await writeFile(path.join(OUT, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  tscRun = runTsc(); // awaited by the tests that need it
}, 600_000);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function specError(promise: Promise<unknown>): Promise<SpecError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  return error as SpecError;
}

/** 1-based line of the first line matching `re` after the first line matching `after` (if given). */
function lineOf(file: string, re: RegExp, after?: RegExp): number {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = after ? lines.findIndex((l) => after.test(l)) : 0;
  const index = lines.findIndex((l, i) => i >= start && re.test(l));
  if (start < 0 || index < 0) throw new Error(`no line ${re} in ${file}`);
  return index + 1;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("snapshots", () => {
  it("covers the hand-written fixtures", () => {
    expect(fixtures.map((f) => f.name)).toEqual(expect.arrayContaining(["hostile", "snapshot-basic", "snapshot-composition"]));
  });

  it.each(fixtures.map((f) => [f.name] as const))("%s", async (name) => {
    const result = fixtureResults.get(name)!;
    expect(result.files.map((f) => f.name)).toEqual(expect.arrayContaining(CORE_FILES));
    for (const file of result.files) {
      await expect(file.content).toMatchFileSnapshot(`__snapshots__/${name}/${file.name}`);
    }
  });

  it.each(fixtures.map((f) => [f.name] as const))("%s output compiles under tsc --strict", async (name) => {
    const { output } = await tscRun;
    const own = output.split("\n").filter((l) => l.startsWith(`fixtures/${name}/`));
    expect(own.join("\n")).toBe("");
    expect(existsSync(path.join(OUT, "fixtures", name, "index.ts"))).toBe(true);
  });
});

describe("derived operation types (rt.RequestOf / rt.ResponseOf)", () => {
  it("are identical to the spelled-out types for every fixture operation, and a mutated expectation fails", async () => {
    const { output } = await tscRun;
    expect(
      output
        .split("\n")
        .filter((l) => /derived-checks|handlers-explicit|client-explicit/.test(l))
        .join("\n"),
    ).toBe("");
    expect([...derivedOperations.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(30);
    const basic = fixtureResults.get("snapshot-basic")!.files.find((f) => f.name === "handlers.ts")!.content;
    expect(basic).toContain('export type ShowPetByIdResponse = ResponseOf<operations["showPetById"]> | never;');
    expect(basic).toContain('export type DeletePetsByPetIdRequest = RequestOf<paths["/pets/{petId}"]["delete"]>;');
    expect(basic).toContain("showPetById: OperationHandler<ShowPetByIdRequest, ShowPetByIdResponse>;");
    // Response headers: spelled out.
    expect(basic).toContain("export interface ListPetsRequest {");
    const checks = readFileSync(path.join(OUT, "fixtures/snapshot-basic/derived-checks.ts"), "utf8");
    expect(checks).toContain("Expect<Identical<Derived.ShowPetByIdResponse, Explicit.ShowPetByIdResponse>>");
    expect(checks).toContain('Expect<Identical<Parameters<DerivedClient.Client["showPetById"]>, Parameters<ExplicitClient.Client["showPetById"]>>>');
    const client = fixtureResults.get("snapshot-basic")!.files.find((f) => f.name === "client.ts")!.content;
    expect(client).toContain("export type Client = rt.ClientOf<Handlers>;");
    expect(checks).toContain("@ts-expect-error");
  });
});

describe("typed schema exports", () => {
  it("Schema.parse(x) has the spec's type (tsc over typed-checks.ts, schemas.ts as users' builds see it)", async () => {
    const { output } = await tscRun;
    expect(output.split("\n").filter((l) => /^(typed|typed-checks)/.test(l)).join("\n")).toBe("");
    const schemas = typedResult.files.find((f) => f.name === "schemas.ts")!.content;
    expect(schemas).toContain('export const TodoSchema: z.ZodType<components["schemas"]["Todo"]> = rt.lazy(() =>');
    expect(schemas).toContain('export const UploadSchema: z.ZodType = z.lazy(() =>');
  });

  it("what stays untyped is what the types would misdescribe: binary strings, narrowed discriminators, free-form objects", async () => {
    const { UploadSchema, TodoSchema, CircleSchema, ShapeSchema, BagSchema } = await import(path.join(OUT, "typed", "schemas.ts"));
    const types = typedResult.files.find((f) => f.name === "types.ts")!.content;
    // types.ts: `file: Uint8Array`; the schema takes a string and returns it.
    expect(types).toMatch(/file: Uint8Array;/);
    expect(UploadSchema.parse({ file: "abc" })).toEqual({ file: "abc" });
    expect(UploadSchema.safeParse({ file: new Uint8Array([1]) }).success).toBe(false);
    // types.ts: Circle's `kind: "circle"`; Circle's schema takes any string, the union does not.
    expect(types).toMatch(/kind: "circle";/);
    expect(CircleSchema.safeParse({ kind: "square", r: 1 }).success).toBe(true);
    expect(ShapeSchema.safeParse({ kind: "square", r: 1 }).success).toBe(false);
    // types.ts: `meta?: Record<string, never>`; the schema keeps whatever properties come.
    expect(types).toMatch(/meta\?: Record<string, never>;/);
    expect(BagSchema.parse({ meta: { a: 1 } })).toEqual({ meta: { a: 1 } });
    expect(TodoSchema.parse({ title: "t" })).toEqual({ title: "t", done: false });
  });
});

describe("stability", () => {
  const real = [
    "oai/v3.0-petstore-expanded.yaml",
    "oai/v3.0-uspto.yaml",
    "oai/v3.1-webhook-example.yaml",
    "openapi-typescript-fixtures/path-item-components.yaml",
    "openapi-typescript-fixtures/redocly/openapi/a.yaml",
  ].map((rel) => ({ name: rel, file: path.join(SPECS, rel) }));

  it.each([...fixtures, ...real].map((s) => [s.name, s.file] as const))("%s: identical bytes twice, prettier-clean", async (_name, file) => {
    const first = await emitFiles(buildModel(await loadSpec(file)));
    const second = await emitFiles(buildModel(await loadSpec(file)));
    expect(second.files.map((f) => f.name)).toEqual(first.files.map((f) => f.name));
    second.files.forEach((f, i) => expect(f.content === first.files[i]!.content, `${f.name} differs between runs`).toBe(true));
    expect(second.specBytes).toBe(first.specBytes);
    for (const f of first.files) {
      expect(f.content.startsWith("// Generated by symphony-codegen. Do not edit.\n")).toBe(true);
      const formatted = await prettier.format(f.content, { parser: "typescript", printWidth: 100 });
      expect(formatted === f.content, `${f.name} is not prettier-formatted`).toBe(true);
    }
  });
});

describe("writes only what changed", () => {
  const spec = path.join(FIXTURES, "snapshot-basic.yaml");
  const mtimes = (dir: string) =>
    Object.fromEntries(
      readdirSync(dir)
        .sort()
        .map((f) => [f, statSync(path.join(dir, f)).mtimeMs]),
    );
  const pause = () => new Promise((r) => setTimeout(r, 30));

  it("a second generate writes nothing and leaves mtimes alone", async () => {
    const out = path.join(OUT, "write/again");
    const first = await generate(spec, { out });
    const names = first.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(CORE_FILES));
    expect(first.written).toEqual(names);
    const before = mtimes(out);
    await pause();
    const second = await generate(spec, { out });
    expect(second.written).toEqual([]);
    expect(second.removed).toEqual([]);
    expect(second.unchanged).toEqual(names);
    expect(mtimes(out)).toEqual(before);
    const { code, stdout } = await cli(["generate", spec, "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toContain(`0 written, ${names.length} unchanged`);
    expect(mtimes(out)).toEqual(before);
  });

  it("--check exits 0 when up to date, 1 naming stale files, and writes nothing", async () => {
    const out = path.join(OUT, "write/check");
    const { files } = await generate(spec, { out });
    let run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("up to date");

    await appendFile(path.join(out, "handlers.ts"), "// edited by hand\n");
    const orphan = path.join(out, "orphan.ts");
    await writeFile(orphan, "// Generated by symphony-codegen. Do not edit.\nexport {};\n");
    const handEdited = await readFile(path.join(out, "handlers.ts"), "utf8");
    const before = mtimes(out);
    await pause();
    run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("handlers.ts: differs");
    expect(run.stderr).toContain("orphan.ts: no longer generated");
    expect(run.stderr).not.toMatch(/types\.ts|schemas\.ts|register\.ts/);
    expect(mtimes(out)).toEqual(before);
    expect(await readFile(path.join(out, "handlers.ts"), "utf8")).toBe(handEdited);

    run = await cli(["generate", spec, "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`1 written, ${files.length - 1} unchanged, 1 removed`);
    expect(existsSync(orphan)).toBe(false);
    run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(0);
  });

  it("--check on a missing output directory exits 1 and creates nothing", async () => {
    const out = path.join(OUT, "write/never");
    const run = await cli(["generate", spec, "--out", out, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("index.ts: differs");
    expect(existsSync(out)).toBe(false);
  });
});

describe("diagnostics", () => {
  const out = (name: string) => path.join(OUT, "invalid", name);

  it("a YAML syntax error names the file, line and column", async () => {
    const file = path.join(INVALID, "malformed.yaml");
    const error = await specError(generate(file, { out: out("malformed") }));
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics;
    expect(path.resolve(ROOT, d!.file!)).toBe(file);
    expect(d!.line).toBe(11);
    expect(d!.column).toBe(7);
    expect(formatDiagnostic(d!)).toMatch(/malformed\.yaml:11:7 #: error: /);
    expect(existsSync(out("malformed"))).toBe(false);
  });

  it("an unresolved $ref in a second file names that file, the pointer and the line", async () => {
    const second = path.join(INVALID, "multi-file/schemas.yaml");
    const error = await specError(generate(path.join(INVALID, "multi-file/openapi.yaml"), { out: out("multi-file") }));
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics;
    expect(path.resolve(ROOT, d!.file!)).toBe(second);
    expect(d!.pointer).toBe("#/Pet/properties/owner");
    expect(d!.line).toBe(lineOf(second, /\$ref: "#\/Owner"/));
    expect(d!.message).toBe(`Can't resolve $ref "#/Owner"`);
  });

  it("a missing required field names the pointer and line (an error under --strict, a warning otherwise)", async () => {
    const file = path.join(INVALID, "missing-required.yaml");
    const lenient = await generate(file, { out: out("missing-required-lenient") });
    expect(lenient.warnings.find((w) => w.pointer === "#/paths/~1pets~1{id}/get")?.message).toContain("`responses`");
    const error = await specError(generate(file, { out: out("missing-required"), strict: true }));
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics;
    expect(path.resolve(ROOT, d!.file!)).toBe(file);
    expect(d!.pointer).toBe("#/paths/~1pets~1{id}/get");
    expect(d!.line).toBe(lineOf(file, /^ {4}get:/, /^ {2}\/pets\/\{id\}:/));
    expect(d!.message).toContain("`responses`");
  });

  it("two identical operationIds fail, naming both operations (ones that differ only where sanitising replaces: endpoint-names.test.ts)", async () => {
    const error = await specError(generate(path.join(INVALID, "duplicate-operation-ids.yaml"), { out: out("dup-ids") }));
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics;
    expect(d!.pointer).toBe("#/paths/~1animals/get");
    expect(d!.line).toBe(14);
    expect(d!.message).toContain('"list.pets"');
    expect(d!.message).toContain('GET /pets (operationId "list.pets")');
    expect(d!.message).toContain('GET /animals (operationId "list.pets")');
  });

  it("an x-symphony-endpoint clash fails, naming both operations", async () => {
    const error = await specError(generate(path.join(INVALID, "duplicate-endpoint-override.yaml"), { out: out("dup-override") }));
    expect(error.diagnostics).toHaveLength(1);
    expect(error.message).toContain('Endpoint name "animals"');
    expect(error.message).toContain('"listPets"');
    expect(error.message).toContain('"listAnimals"');
    expect(error.diagnostics[0]!.pointer).toBe("#/paths/~1animals/get");
  });

  it("a missing operationId warns and gets a deterministic name", async () => {
    const spec = path.join(FIXTURES, "snapshot-basic.yaml");
    const names = async () => {
      const model = buildModel(await loadSpec(spec));
      const op = model.operations.find((o) => o.method === "DELETE")!;
      return { model, op: { handler: op.handlerName, type: op.typeName, endpoint: op.endpoint, operationId: op.operationId } };
    };
    const first = await names();
    expect(first.op).toEqual({ handler: "deletePetsByPetId", type: "DeletePetsByPetId", endpoint: "delete_pets_by_petId", operationId: undefined });
    expect((await names()).op).toEqual(first.op);
    const warning = first.model.warnings.find((w) => w.pointer === "#/paths/~1pets~1{petId}/delete");
    expect(warning?.severity).toBe("warning");
    expect(warning?.message).toContain('"deletePetsByPetId"');
    const run = await cli(["generate", spec, "--out", out("warned")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("#/paths/~1pets~1{petId}/delete: warning: Operation has no operationId");
  });

  it("locates each of thousands of model warnings at its own line", async () => {
    // One line per operation: operation i sits on line i + 4, its `get` value after `  /items<i>: { get: `.
    const count = 2000;
    const lines = ["openapi: 3.0.3", "info: { title: many, version: 1.0.0 }", "paths:"];
    for (let i = 0; i < count; i++) lines.push(`  /items${i}: { get: { responses: { "200": { description: ok } } } }`);
    const file = path.join(out("many-warnings"), "openapi.yaml");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, lines.join("\n") + "\n");
    const { warnings } = buildModel(await loadSpec(file));
    const missing = warnings.filter((w) => w.message.includes("no operationId"));
    expect(missing).toHaveLength(count);
    for (const w of missing) {
      const i = Number(/items(\d+)/.exec(w.pointer!)![1]);
      expect([w.line, w.column]).toEqual([i + 4, `  /items${i}: { get: `.length + 1]);
    }
  });

  /** Runs the real CLI (a child process) on a document; its exit code and stderr. */
  async function generateInChild(name: string, doc: object): Promise<{ code: number; stderr: string; out: string }> {
    const dir = out(name);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "openapi.json");
    await writeFile(file, JSON.stringify(doc));
    const target = path.join(dir, "out");
    return new Promise((resolve) =>
      execFile(process.execPath, [path.join(ROOT, "bin/symphony-codegen.js"), "generate", file, "--out", target, "--quiet"], (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr, out: target }),
      ),
    );
  }

  it("an inline schema nested 300 deep generates (the CLI generates on a thread with a deep stack)", async () => {
    let schema: object = { type: "string" };
    for (let i = 0; i < 300; i++) schema = { type: "object", properties: { x: schema } };
    const run = await generateInChild("nested", {
      openapi: "3.0.3",
      info: { title: "nested", version: "1.0.0" },
      paths: { "/x": { post: { operationId: "x", requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/N" } } } }, responses: { "200": { description: "ok" } } } } },
      components: { schemas: { N: schema } },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const types = await readFile(path.join(run.out, "types.ts"), "utf8");
    expect(types.match(/\bx\?: /g)).toHaveLength(300);
  }, 60_000);

  it("a $ref chain 800 deep generates", async () => {
    const depth = 800;
    const schemas: Record<string, unknown> = { [`D${depth}`]: { type: "string" } };
    for (let i = 0; i < depth; i++) schemas[`D${i}`] = { type: "object", properties: { next: { $ref: `#/components/schemas/D${i + 1}` } } };
    const doc = {
      openapi: "3.0.3",
      info: { title: "deep", version: "1.0.0" },
      paths: { "/x": { post: { operationId: "x", requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/D0" } } } }, responses: { "200": { description: "ok" } } } } },
      components: { schemas },
    };
    const run = await generateInChild("deep", doc);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const generated = await readFile(path.join(run.out, "schemas.ts"), "utf8");
    expect(generated).toContain(`export const D${depth - 1}Schema: z.ZodType<components["schemas"]["D${depth - 1}"]> = rt.lazy(() =>`);
  });

  it.each([
    ["malformed.yaml", /malformed\.yaml:11:7 #: error:/],
    ["missing-required.yaml", /missing-required\.yaml:13:5 #\/paths\/~1pets~1\{id\}\/get: error: The field `responses`/],
    ["multi-file/openapi.yaml", /multi-file\/schemas\.yaml:9:7 #\/Pet\/properties\/owner: error: Can't resolve \$ref "#\/Owner"$/m],
    ["duplicate-operation-ids.yaml", /#\/paths\/~1animals\/get: error: Endpoint name "list\.pets"/],
    ["duplicate-endpoint-override.yaml", /#\/paths\/~1animals\/get: error: Endpoint name "animals"/],
  ] as const)("the CLI exits non-zero on %s and prints the diagnostic", async (name, expected) => {
    const target = out(`cli-${name.replace(/\W/g, "_")}`);
    const run = await cli(["generate", path.join(INVALID, name), "--out", target, "--strict"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(expected);
    expect(existsSync(target)).toBe(false);
  });
});

describe("CLI messages", () => {
  const dir = path.join(OUT, "cli-messages");

  it("a spec file that does not exist: one line naming it, exit 1", async () => {
    const run = await cli(["generate", "no-such-spec.yaml", "--out", path.join(dir, "never")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: cannot read no-such-spec.yaml: no such file\n");
    expect(existsSync(path.join(dir, "never"))).toBe(false);
  });

  it("--out naming a file (or a path through one) is refused before loading, the file untouched", async () => {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "a-file");
    await writeFile(file, "keep me\n");
    const spec = path.join(FIXTURES, "snapshot-basic.yaml");
    const shown = path.relative(process.cwd(), file);
    let run = await cli(["generate", spec, "--out", shown]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: output directory ${shown} is a file, not a directory\n`);
    run = await cli(["generate", spec, "--out", path.join(shown, "sub"), "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: output directory ${path.join(shown, "sub")} cannot be created: ${shown} is a file\n`);
    expect(await readFile(file, "utf8")).toBe("keep me\n");
  });

  it("each warning is printed once: operations without operationId, directly and through a shared path item", async () => {
    await mkdir(dir, { recursive: true });
    const spec = path.join(dir, "no-ids.yaml");
    await writeFile(
      spec,
      [
        "openapi: 3.1.0",
        "info: { title: no ids, version: 1.0.0 }",
        "paths:",
        "  /todos:",
        "    get: { responses: { '200': { description: ok } } }",
        "    post: { responses: { '201': { description: created } } }",
        "  /a: { $ref: '#/components/pathItems/Shared' }",
        "  /b: { $ref: '#/components/pathItems/Shared' }",
        "components:",
        "  pathItems:",
        "    Shared: { get: { responses: { '200': { description: ok } } } }",
        "",
      ].join("\n"),
    );
    const run = await cli(["generate", spec, "--out", path.join(dir, "no-ids"), "--force"]);
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.includes("Operation has no operationId"))).toHaveLength(4);
    expect(lines.filter((l) => l.includes("#/paths/~1todos/get: warning: Operation has no operationId"))).toHaveLength(1);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("no document the tests use yields the same diagnostic twice", async () => {
    const repeated: string[] = [];
    for (const { name, file } of [...fixtures, ...exampleSpecs()]) {
      const lines = buildModel(await loadSpec(file)).warnings.map(formatDiagnostic);
      repeated.push(...lines.filter((l, i) => lines.indexOf(l) !== i).map((l) => `${name}: ${l}`));
    }
    expect(repeated).toEqual([]);
  });
});

describe("hostile strings are escaped, never pasted", () => {
  const dir = path.join(OUT, "fixtures/hostile");
  const rawPath = Object.keys(hostileRaw.paths)[0]!;
  const schemas = hostileRaw.components.schemas;

  it("generates, renaming the clashing handler with a warning", () => {
    const result = fixtureResults.get("hostile")!;
    expect(result.model.operations.map((o) => o.handlerName)).toEqual(HOSTILE_HANDLERS);
    const warning = result.warnings.find((w) => w.message.startsWith('Handler name "getPet"'));
    expect(warning?.message).toContain('(operationId "get_pet")');
    expect(warning?.message).toContain('(operationId "get-pet")');
    expect(warning?.message).toContain('using "getPet2"');
  });

  it("compiles under tsc --strict, with names equal to the spec's strings", async () => {
    const { code, output } = await tscRun;
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("exports only what the generator declares (no comment or string breaks out)", async () => {
    for (const { name: file } of fixtureResults.get("hostile")!.files) {
      const mod = await import(path.join(dir, file));
      expect(Object.keys(mod)).not.toContain("pwned");
    }
    expect(Object.keys(await import(path.join(dir, "types.ts")))).toEqual([]);
    const schemasModule = await import(path.join(dir, "schemas.ts"));
    expect(Object.keys(schemasModule).every((k) => /^[A-Za-z_]\w*Schema\d*$/.test(k))).toBe(true);
    expect(Object.keys(schemasModule)).toEqual(expect.arrayContaining(["PetNameSchema", "PetNameSchema2", "DeleteSchema", "ProtoSchema", "_1ThingSchema"]));
  });

  it("embeds the document and service description exactly", async () => {
    const register = await import(path.join(dir, "register.ts"));
    const spec = JSON.parse((await import(path.join(dir, "spec.ts"))).openapiSpec);
    expect(spec).toEqual((await loadSpec(HOSTILE)).document);
    expect(spec.info).toEqual(hostileRaw.info);
    expect(register.service.description).toBe(hostileRaw.info.description);
    expect(register.service.name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("keeps paths, parameter names, media types and endpoints exact in the operation table", async () => {
    const { operationTable } = await import(path.join(dir, "operations.ts"));
    const byHandler = Object.fromEntries(operationTable.map((op: any) => [op.handler, op]));
    expect(Object.keys(byHandler)).toEqual(HOSTILE_HANDLERS);
    const item = hostileRaw.paths[rawPath];
    expect(byHandler.getPet.path).toBe(rawPath);
    expect(byHandler.getPet.params.map((p: any) => p.name)).toEqual([item.parameters[0].name, ...item.get.parameters.map((p: any) => p.name)]);
    expect(byHandler.getPet.responses).toEqual({ "200": Object.keys(item.get.responses["200"].content)[0], "4XX": null, default: "application/json" });
    expect(Object.keys(byHandler.getPet2.body.content)).toEqual(Object.keys(item.post.requestBody.content));
    expect(byHandler.getPet.endpoint).toBe("get-pet-dash");
    expect(byHandler.getPet2.endpoint).toBe("get-pet-underscore");
    for (const op of operationTable) expect(op.endpoint).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(operationTable.map((op: any) => op.endpoint)).size).toBe(operationTable.length);
  });

  it("round-trips property names, enum values, the pattern, defaults and consts", async () => {
    const lazy = await import(path.join(dir, "schemas.ts"));
    // Component constants are `z.lazy`: look inside the schema each builds on first use.
    const m = Object.fromEntries(Object.entries(lazy).map(([name, schema]: [string, any]) => [name, schema._zod.innerType])) as Record<string, any>;
    // Weird declares `__proto__` (required), so rt.protoProperty wraps its object: every name is checked by parsing.
    const weird = schemas.Weird.properties;
    const values: Record<string, unknown> = { constant: weird.constant.const, enum: schemas.Enum.enum[0], pattern: "*//*`${x}`\"'\\\n\u2028</script>" };
    const value = Object.fromEntries(Object.keys(weird).map((k) => [k, Object.hasOwn(values, k) ? values[k] : "v"]));
    const parsed = lazy.WeirdSchema.parse(value);
    expect(Object.keys(parsed)).toEqual(Object.keys(weird).filter((k) => k !== "__proto__").concat("__proto__"));
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toBe("v");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    const { ["__proto__"]: _proto, defaulted: _defaulted, ...rest } = value;
    expect(lazy.WeirdSchema.safeParse(rest).error?.issues.map((i: any) => i.path)).toEqual([["__proto__"]]);
    const withDefault = lazy.WeirdSchema.parse({ ...rest, ["__proto__"]: "p" });
    for (const key of Object.keys(value)) expect(Object.hasOwn(withDefault, key), key).toBe(true);

    expect(m.EnumSchema.options).toEqual(schemas.Enum.enum);
    for (const value of schemas.Enum.enum) expect(m.EnumSchema.safeParse(value).success).toBe(true);
    expect(m.EnumSchema.safeParse("*/ ").success).toBe(false);

    const checks = m.PatternSchema._zod.def.checks.map((c: any) => c._zod.def.pattern).filter(Boolean);
    expect(checks).toHaveLength(1);
    expect(checks[0].source).toBe(new RegExp(schemas.Pattern.pattern, "u").source);
    expect(checks[0].flags).toBe("u");
    const sample = "*//*`${x}`\"'\\\n\u2028</script>";
    expect(new RegExp(schemas.Pattern.pattern, "u").test(sample)).toBe(true);
    expect(m.PatternSchema.safeParse(sample).success).toBe(true);
    expect(m.PatternSchema.safeParse(sample.replace("\u2028", "\u2029")).success).toBe(false);

    expect(withDefault.defaulted).toBe(weird.defaulted.default);
    expect(lazy.WeirdSchema.safeParse({ ...value, constant: weird.constant.const + " " }).error?.issues.map((i: any) => i.path)).toEqual([["constant"]]);
  });

  it("keeps discriminator mapping keys, including __proto__", async () => {
    const m = await import(path.join(dir, "schemas.ts"));
    const property = schemas.Shape.discriminator.propertyName;
    for (const tag of Object.keys(schemas.Shape.discriminator.mapping)) {
      expect(m.ShapeSchema.safeParse({ [property]: tag }).success, `tag ${JSON.stringify(tag)}`).toBe(true);
    }
    expect(m.ShapeSchema.safeParse({ [property]: "constructor" }).success).toBe(false);
  });
});
