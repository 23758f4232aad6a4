/**
 * loadSpec against Redocly itself. The loader runs Redocly's `struct` and `no-unresolved-refs`
 * rules as its own walk, locates problems its own way and bundles single-file documents without
 * Redocly's bundler (generator/load/); on every spec the suite uses, GitHub's description and
 * documents written to reach each rule and bundling case, it must give exactly what Redocly's
 * lintDocument + getLineColLocation + bundleDocument give: the same diagnostics (message, file,
 * pointer, line, column) and the same bundled document, key order included.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  BaseResolver,
  bundleDocument,
  createConfig,
  getLineColLocation,
  lintDocument,
  type Document,
  type NormalizedProblem,
} from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { displayPath, nameUnresolvedRef, unescapePointerToken } from "../generator/diagnostics.js";
import { formatDiagnostic, loadSpec, SpecError, type Diagnostic } from "../generator/index.js";
import { discoverSpecs, ROOT, SPECS } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/load");
const GITHUB = path.join(ROOT, "node_modules/@octokit/openapi/generated/api.github.com.json");

/** Documents that reach what the shared specs may not: every `struct` message, refs in scalar positions, mappings, parse errors. */
const CASES: Record<string, string> = {
  "warnings.json": `{
  "openapi": "3.1.0", "info": {"title": "w", "version": "1", "bad": true},
  "paths": {
    "/p/{id}": {
      "get": { "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "nullable": true}},
        {"name": "q", "in": "nowhere"}, 5],
        "responses": { "200": { "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}, "example": {"$ref": "#/components/examples/E/value"}}} } },
        "bogus": 1, "x-ok": 2, "tags": "notarray"
      },
      "post": "oops"
    }
  },
  "components": {
    "schemas": {
      "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}, "minLength": -1, "discriminator": {"propertyName": "k", "mapping": {"b": "#/components/schemas/B"}}},
      "B": {"type": "string", "enum": ["x"], "xml": 3},
      "C": {"$ref": "#/components/schemas/A", "description": "sibling", "properties": {"z": {"type": "string"}}},
      "~tilde/slash": {"type": "integer", "%": {"type": "string"}}
    },
    "examples": {"E": {"value": {"$ref": "#/components/schemas/B"}}}
  }
}`,
  "unresolved.json": `{"openapi": "3.0.3", "info": {"title": "u", "version": "1"}, "paths": {},
  "components": {"schemas": {"A": {"properties": {"c": {"$ref": "#/components/schemas/Missing"}, "d": {"$ref": "#/nope/%25"}}}}}}`,
  "no-info.json": `  {"openapi": "3.0.0", "paths": {"/a": {"get": {}}}}`,
  "duplicate-key.json": `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "info": {"title": "u", "version": "2"}}`,
  "malformed.json": `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},\n  "paths": { "/a": { "get": {} }, }\n}`,
  "bom.json": `\uFEFF{"openapi": "3.0.0", "info": {"title": "bom", "version": "1"}, "paths": {}}`,
  // Mapping entries already in components (rewritten in place) and example values by `$ref` (inlined).
  "mappings.yaml": `openapi: 3.0.3
info: &info { title: m, version: "1" }
x-copy: { <<: *info }
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                oneOf: [{ $ref: "#/components/schemas/Cat" }, { $ref: "#/components/schemas/Dog" }]
                discriminator: { propertyName: kind, mapping: { cat: "#/components/schemas/Cat", dog: "#/components/schemas/Dog" } }
              examples:
                one: { value: { $ref: "#/components/examples/Shared/value" } }
                two: { $ref: "#/components/examples/Shared" }
components:
  schemas:
    Cat: &cat { type: object, properties: { kind: { type: string } } }
    Cat2: *cat
    Dog:
      type: object
      properties:
        kind: { type: string }
        bark: { $ref: "#/components/examples/Shared/value", example: { $ref: "#/components/examples/Shared/value/kind" } }
  examples:
    Shared: { value: { kind: cat } }
`,
  // A mapping to a schema that is not a component: the bundler adds one.
  "mapping-new-component.yaml": `openapi: 3.0.3
info: { title: m, version: "1" }
paths: {}
components:
  schemas:
    Pet:
      oneOf: [{ $ref: "#/components/schemas/Wrapper/properties/dog" }]
      discriminator: { propertyName: kind, mapping: { dog: "#/components/schemas/Wrapper/properties/dog" } }
    Wrapper: { type: object, properties: { dog: { type: object, nullable: true } } }
`,
  "circular.yaml": `openapi: 3.0.3\ninfo: { title: c, version: "1" }\npaths: {}\ncomponents: { schemas: { A: { $ref: "#/components/schemas/A" } } }\n`,
  "anchor.yaml": `openapi: 3.1.0\ninfo: { title: a, version: "1" }\npaths: {}\ncomponents:\n  schemas:\n    A: { $anchor: foo, type: string }\n    B: { $ref: "#foo" }\n`,
  "external-value.yaml": `openapi: 3.0.3
info: { title: e, version: "1" }
paths:
  /x:
    get:
      responses:
        "200": { description: ok, content: { application/json: { examples: { a: { externalValue: "./example.json" } } } } }
`,
  "example.json": `{"kind": "cat"}`,
  "multi-file.yaml": `openapi: 3.0.3
info: { title: m, version: "1" }
paths:
  /a: { get: { responses: { "200": { description: ok, content: { application/json: { schema: { $ref: "./parts.yaml#/Thing" }, example: { $ref: "./parts.yaml#/ThingExample" } } } } } } }
`,
  "parts.yaml": `Thing:\n  type: object\n  properties:\n    name: { type: string, bogus: 1 }\nThingExample: { name: x }\n`,
};

type Outcome = { errors: Diagnostic[] } | { document: unknown; warnings: Diagnostic[]; files: string[] };

/** What the loader gave before it had its own walk: Redocly's lint, positions and bundler, verbatim. */
async function redocly(file: string, strict: boolean): Promise<Outcome> {
  const config = await createConfig({ extends: [], rules: { struct: "error", "no-unresolved-refs": "error" } } as never);
  const resolver = new BaseResolver(config.resolve);
  let document: Document;
  try {
    document = (await resolver.resolveDocument(null, file, true)) as Document;
  } catch (err) {
    const e = err as { source: { absoluteRef: string }; originalError: { message: string; mark: { line: number; column: number } } };
    const { mark } = e.originalError;
    return { errors: [{ severity: "error", file: displayPath(e.source.absoluteRef), pointer: "#", message: e.originalError.message, line: mark.line + 1, column: mark.column + 1 }] };
  }
  const parsed = document.parsed as { openapi: string };
  const version = parsed.openapi;
  if (version.startsWith("3.2")) parsed.openapi = "3.1.1";
  const diagnostic = (p: NormalizedProblem, severity: Diagnostic["severity"]): Diagnostic => {
    const at = p.location[0]!;
    // The loader names an unresolvable reference; here it is read from the file at the reported place.
    const message = p.ruleId === "no-unresolved-refs" && at.pointer ? nameUnresolvedRef(p.message, refAt(at.source.body, at.pointer)) : p.message;
    const d: Diagnostic = { severity, message, file: displayPath(at.source.absoluteRef), pointer: at.pointer ?? "#/" };
    try {
      const { start } = getLineColLocation(at);
      Object.assign(d, { line: start.line, column: start.col });
    } catch {
      // no position, as in the loader
    }
    return d;
  };
  const problems = await lintDocument({ document, externalRefResolver: resolver, config: config.styleguide });
  const fatal = (p: NormalizedProblem) => strict || p.ruleId === "no-unresolved-refs" || (p.location[0]?.pointer ?? "#/") === "#/";
  const diagnostics = problems.map((p) => diagnostic(p, fatal(p) ? "error" : "warning"));
  if (diagnostics.some((d) => d.severity === "error")) return { errors: diagnostics.filter((d) => d.severity === "error") };
  const bundled = await bundleDocument({ document, externalRefResolver: resolver, config: config.styleguide, dereference: false });
  const bundleErrors = bundled.problems.filter((p) => p.severity === "error").map((p) => diagnostic(p, "error"));
  if (bundleErrors.length > 0) return { errors: bundleErrors };
  (bundled.bundle.parsed as { openapi: string }).openapi = version;
  return { document: bundled.bundle.parsed, warnings: diagnostics, files: [...bundled.fileDependencies].sort() };
}

/** The `$ref` (or discriminator mapping value) at a pointer of a YAML or JSON text. */
function refAt(text: string, pointer: string): string {
  let node: unknown = parseYaml(text);
  for (const token of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) node = (node as Record<string, unknown>)[unescapePointerToken(token)];
  return typeof node === "string" ? node : String((node as { $ref: unknown }).$ref);
}

async function loader(file: string, strict: boolean): Promise<Outcome> {
  try {
    const { document, warnings, files } = await loadSpec(file, { strict });
    return { document, warnings, files };
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return { errors: err.diagnostics };
  }
}

/** Both outcomes as text: key order is part of the contract (generation is byte-stable). */
async function outcomes(file: string, strict: boolean): Promise<[string, string]> {
  const settle = (p: Promise<Outcome>) => p.then(JSON.stringify, (e: Error) => `threw ${e.message}`);
  return [await settle(loader(file, strict)), await settle(redocly(file, strict))];
}

mkdirSync(OUT, { recursive: true });
for (const [name, text] of Object.entries(CASES)) writeFileSync(path.join(OUT, name), text);
const { valid, invalid } = discoverSpecs();
const documents = [
  ...Object.keys(CASES).filter((n) => !["example.json", "parts.yaml"].includes(n)).map((n) => path.join(OUT, n)),
  ...["hostile", "media", "nullable-30", "openapi-32", "snapshot-basic", "snapshot-composition"].map((n) => path.join(ROOT, "fixtures", `${n}.yaml`)),
  ...["malformed", "missing-required", "multi-file/openapi", "duplicate-operation-ids"].map((n) => path.join(ROOT, "fixtures/invalid", `${n}.yaml`)),
  ...["clock", "features", "hello"].map((n) => path.join(ROOT, "examples", n, "openapi.yaml")),
  ...[...valid, ...invalid].map((s) => s.abs),
];

describe("loadSpec gives what Redocly's lint and bundler give", () => {
  it.each(documents.map((f) => [path.relative(ROOT, f).replace(/^\.\.\/shared\/specs\//, ""), f] as const))("%s", async (_name, file) => {
    for (const strict of [false, true]) {
      const [ours, theirs] = await outcomes(file, strict);
      expect(ours, strict ? "strict" : "lenient").toBe(theirs);
    }
  });

  it("GitHub's description (13 MB JSON, 135 warnings located by pointer)", async () => {
    const [ours, theirs] = await outcomes(GITHUB, false);
    expect(JSON.parse(ours).warnings).toHaveLength(135);
    expect(ours === theirs, "GitHub's document or warnings differ from Redocly's").toBe(true);
  }, 600_000);

  it("covers the shared specs it compares against", () => {
    expect(documents.filter((f) => f.startsWith(SPECS)).length).toBeGreaterThanOrEqual(24);
  });
});

describe("what only the loader promises", () => {
  it("a JSON document with a duplicate key is refused, located, as the YAML parser refuses it", async () => {
    const error = await loadSpec(path.join(OUT, "duplicate-key.json")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpecError);
    const [d] = (error as SpecError).diagnostics;
    expect(d!.message).toMatch(/duplicated mapping key/);
    expect([d!.line, d!.column]).toEqual([1, 75]);
  });

  it("keeps a $ref under a property named like an Object.prototype member (Redocly inlines it, making a cycle)", async () => {
    const file = path.join(OUT, "prototype-names.json");
    const properties = { constructor: { $ref: "#/components/schemas/B" }, __proto__: { $ref: "#/components/schemas/B" }, toString: { type: "string" } };
    const doc = { openapi: "3.1.0", info: { title: "p", version: "1" }, paths: {}, components: { schemas: { B: { type: "object", properties } } } };
    // JSON.stringify keeps "__proto__" as a plain key only when it is an own property.
    writeFileSync(file, JSON.stringify(doc).replace('"properties":{', '"properties":{"__proto__":{"$ref":"#/components/schemas/B"},'));
    const loaded = await loadSpec(file);
    const props = (loaded.document.components!.schemas!.B as { properties: Record<string, unknown> }).properties;
    expect(Object.getOwnPropertyDescriptor(props, "constructor")?.value).toEqual({ $ref: "#/components/schemas/B" });
    expect(Object.getOwnPropertyDescriptor(props, "__proto__")?.value).toEqual({ $ref: "#/components/schemas/B" });
    expect(() => JSON.stringify(loaded.document)).not.toThrow();
  });

  it("a multi-file document with keys named like Object.prototype members: resolved, and a clear error where Redocly's bundler fails", async () => {
    const dir = path.join(OUT, "prototype-multifile");
    mkdirSync(dir, { recursive: true });
    const response = { description: "ok", content: { "application/json": { schema: { $ref: "./schemas.json#/Thing" } } } };
    const root = { openapi: "3.1.0", info: { title: "p", version: "1" }, paths: { "/x": { get: { operationId: "getX", responses: { "200": response } } } } };
    writeFileSync(path.join(dir, "main.json"), JSON.stringify(root));
    writeFileSync(path.join(dir, "schemas.json"), JSON.stringify({ Thing: { type: "object", properties: { toLocaleString: { type: "string" }, valueOf: { type: "string" } } } }));
    const error = (await loadSpec(path.join(dir, "main.json")).catch((e: unknown) => e)) as SpecError;
    // Not the bare `TypeError: Object.prototype.toLocaleString called on null or undefined` of before.
    expect(error).toBeInstanceOf(SpecError);
    expect(error.diagnostics[0]!.message).toMatch(/^Cannot bundle this multi-file document: Redocly's bundler fails on a key named "(toLocaleString|valueOf)"/);
    expect(error.diagnostics[0]!.file).toMatch(/main\.json$/);
  });

  it("a discriminator mapping by schema name (`dog: Dog`, no reference) resolves to that component, not refused as an unresolvable $ref", async () => {
    // A bare name means #/components/schemas/<name> (OpenAPI); the reference walk writes it out as that reference.
    const file = path.join(OUT, "mapping-names.yaml");
    writeFileSync(
      file,
      [
        "openapi: 3.0.3",
        "info: { title: m, version: '1' }",
        "paths: {}",
        "components:",
        "  schemas:",
        "    Pet:",
        "      oneOf: [{ $ref: '#/components/schemas/Dog' }, { $ref: '#/components/schemas/Cat' }]",
        "      discriminator: { propertyName: kind, mapping: { dog: Dog, cat: '#/components/schemas/Cat' } }",
        "    Dog: { type: object, required: [kind], properties: { kind: { type: string, enum: [dog] } } }",
        "    Cat: { type: object, required: [kind], properties: { kind: { type: string, enum: [cat] } } }",
      ].join("\n"),
    );
    const loaded = await loadSpec(file);
    expect((loaded.document.components!.schemas!.Pet as { discriminator: unknown }).discriminator).toEqual({
      propertyName: "kind",
      mapping: { dog: "#/components/schemas/Dog", cat: "#/components/schemas/Cat" },
    });
  });

  it("an unresolvable $ref names its target, and the file that cannot be read", async () => {
    const local = (await loadSpec(path.join(OUT, "unresolved.json")).catch((e: unknown) => e)) as SpecError;
    expect(local).toBeInstanceOf(SpecError);
    expect(local.diagnostics.map((d) => [d.pointer, d.message])).toEqual([
      ["#/components/schemas/A/properties/c", `Can't resolve $ref "#/components/schemas/Missing"`],
      ["#/components/schemas/A/properties/d", `Can't resolve $ref "#/nope/%25"`],
    ]);
    const file = path.join(OUT, "missing-part.yaml");
    writeFileSync(file, `openapi: 3.0.3\ninfo: { title: r, version: "1" }\npaths: {}\ncomponents: { schemas: { A: { $ref: "./nowhere.yaml#/Thing" } } }\n`);
    const other = (await loadSpec(file).catch((e: unknown) => e)) as SpecError;
    expect(other.diagnostics.map((d) => [d.pointer, d.line, d.message])).toEqual([
      ["#/components/schemas/A", 4, `Can't resolve $ref "./nowhere.yaml#/Thing": cannot read ${displayPath(path.join(OUT, "nowhere.yaml"))}: no such file`],
    ]);
  });

  it("a document that cannot be read says so in one line, with no pointer into it", async () => {
    const refusal = async (file: string) => ((await loadSpec(file).catch((e: unknown) => e)) as SpecError).diagnostics;
    const missing = path.join(OUT, "missing.yaml");
    expect(await refusal(missing)).toEqual([{ severity: "error", message: `cannot read ${displayPath(missing)}: no such file` }]);
    expect(formatDiagnostic((await refusal(missing))[0]!)).toBe(`error: cannot read ${displayPath(missing)}: no such file`);
    expect(await refusal(OUT)).toEqual([{ severity: "error", message: `cannot read ${displayPath(OUT)}: is a directory` }]);
  });

  it("a remote $ref is refused, naming it, unless allowRemoteRefs", async () => {
    const file = path.join(OUT, "remote.yaml");
    writeFileSync(file, `openapi: 3.0.3\ninfo: { title: r, version: "1" }\npaths: {}\ncomponents: { schemas: { A: { $ref: "https://example.invalid/s.yaml#/A" } } }\n`);
    const error = (await loadSpec(file).catch((e: unknown) => e)) as SpecError;
    expect(error).toBeInstanceOf(SpecError);
    expect(error.diagnostics[0]!.pointer).toBe("#/components/schemas/A");
    expect(error.diagnostics[0]!.message).toContain("remote reference https://example.invalid/s.yaml is not followed");
  });
});
