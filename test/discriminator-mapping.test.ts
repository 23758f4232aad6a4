/**
 * References only a discriminator mapping makes (issue 14, item 1): Microsoft Graph's style of
 * mapping keys (`#microsoft.graph.x`) to schemas nothing else references, bare schema names, and
 * targets in another file. Each document generates and compiles under `tsc --strict` with the
 * `@ts-nocheck` headers removed; a truly missing target is ONE located error. The same reference
 * walk checks links' `operationRef` and `$dynamicRef` (warnings: the generator follows neither).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate, loadSpec, SpecError } from "../generator/index.js";
import { ROOT } from "./helpers/specs.js";
import { checkEveryLine, typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/discriminator-mapping");
const SINGLE = path.join(ROOT, "fixtures/discriminator-mapping-only.yaml");
const MULTI = path.join(ROOT, "fixtures/discriminator-mapping-multi/openapi.yaml");

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

async function refusal(file: string): Promise<SpecError> {
  const error = await loadSpec(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  return error as SpecError;
}

describe("discriminator mappings to schemas referenced nowhere else", () => {
  it("generate, and compile with every line checked (single file, `#` in keys, a bare schema name)", async () => {
    const result = await generate(SINGLE, { out: path.join(OUT, "single/generated") });
    expect(result.warnings).toEqual([]);
    const { document } = await loadSpec(SINGLE);
    // The bare name became the reference it means; both targets stay where they are.
    expect((document.components!.schemas!["microsoft.graph.identity"] as { discriminator: unknown }).discriminator).toEqual({
      propertyName: "@odata.type",
      mapping: {
        "#microsoft.graph.servicePrincipalIdentity": "#/components/schemas/microsoft.graph.servicePrincipalIdentity",
        "#microsoft.graph.userIdentity": "#/components/schemas/microsoft.graph.userIdentity",
      },
    });
    await checkEveryLine(path.join(OUT, "single/generated"));
    expect(await typeCheck(path.join(OUT, "single"), ["generated/*.ts"])).toBe("");
  }, 60_000);

  it("generate and compile when the targets are in another file (one mapping back by bare name)", async () => {
    await generate(MULTI, { out: path.join(OUT, "multi/generated") });
    const { document, files } = await loadSpec(MULTI);
    expect(files.map((f) => path.basename(f))).toEqual(["openapi.yaml", "other.yaml"]);
    const schemas = document.components!.schemas as Record<string, { discriminator?: { mapping: unknown } }>;
    expect(schemas.Shape!.discriminator!.mapping).toEqual({ foo: "#/components/schemas/Foo", bar: "#/components/schemas/Bar" });
    expect(schemas.Bar!.discriminator!.mapping).toEqual({ circle: "#/components/schemas/Circle" });
    await checkEveryLine(path.join(OUT, "multi/generated"));
    expect(await typeCheck(path.join(OUT, "multi"), ["generated/*.ts"])).toBe("");
  }, 60_000);

  it("a target that does not exist is one error naming the file, the mapping entry's pointer and its line", async () => {
    const file = path.join(OUT, "missing.yaml");
    writeFileSync(file, readFileSync(SINGLE, "utf8").replace('"microsoft.graph.userIdentity"\n', '"microsoft.graph.nobody"\n'));
    const { diagnostics } = await refusal(file);
    expect(diagnostics).toEqual([
      {
        severity: "error",
        file: path.relative(process.cwd(), file),
        pointer: "#/components/schemas/microsoft.graph.identity/discriminator/mapping/#microsoft.graph.userIdentity",
        line: 35,
        column: 44,
        message: `Can't resolve $ref "#/components/schemas/microsoft.graph.nobody"`,
      },
    ]);
  });

  it("a missing target in another file: one error, in the file that maps to it", async () => {
    const dir = path.join(OUT, "multi-missing");
    cpSync(path.dirname(MULTI), dir, { recursive: true });
    const root = path.join(dir, "openapi.yaml");
    writeFileSync(root, readFileSync(root, "utf8").replace('"./other.yaml#/Bar"', '"./other.yaml#/Baz"'));
    const { diagnostics } = await refusal(root);
    expect(diagnostics.map((d) => [path.basename(d.file!), d.pointer, d.line, d.message])).toEqual([
      ["openapi.yaml", "#/components/schemas/Shape/discriminator/mapping/bar", 34, `Can't resolve $ref "./other.yaml#/Baz"`],
    ]);
  });
});

describe("the other references the walk knows", () => {
  it("an operationRef or $dynamicRef that leads nowhere is a located warning; resolvable ones and other servers' links are not", async () => {
    const file = path.join(OUT, "links.yaml");
    writeFileSync(
      file,
      `openapi: 3.1.0
info: { title: links, version: "1" }
paths:
  /a/{id}:
    get:
      operationId: getA
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        "200":
          description: ok
          links:
            self: { operationRef: "#/paths/~1a~1%7Bid%7D/get" }
            gone: { operationRef: "#/paths/~1nowhere/get" }
            away: { operationRef: "https://example.com/openapi.yaml#/paths/~1x/get" }
            named: { $ref: "#/components/links/Named" }
components:
  links:
    Named: { operationRef: "#/paths/~1a~1{id}/get" }
  schemas:
    Tree: { $dynamicAnchor: node, type: object, properties: { children: { type: array, items: { $dynamicRef: "#node" } } } }
    Lost: { type: object, properties: { x: { $dynamicRef: "#/components/schemas/Nowhere" } } }
`,
    );
    const { warnings } = await loadSpec(file);
    expect(warnings.map((w) => [w.pointer, w.line, w.message])).toEqual([
      ["#/paths/~1a~1{id}/get/responses/200/links/gone/operationRef", 13, `Can't resolve operationRef "#/paths/~1nowhere/get"`],
      ["#/components/schemas/Lost/properties/x/$dynamicRef", 21, `Can't resolve $dynamicRef "#/components/schemas/Nowhere"`],
    ]);
    await expect(loadSpec(file, { strict: true })).rejects.toThrow(SpecError);
  });
});
