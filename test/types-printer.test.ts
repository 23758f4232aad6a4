/**
 * The direct types printer (generator/print/types-printer.ts) against the reference it replaces:
 * for every document the generator tests use, plus documents built to hit its edge cases,
 * `formatTypes(typesAst(model))` must return exactly what prettier makes of
 * `astToString(await openapiTS(document))`, and fall back to that path only where a case below
 * expects it. GitHub's description: `npx tsx bench/types-printer.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import * as prettier from "prettier";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { formatTypes, typesAst, typesDocument, typesOptions } from "../generator/emit/types.js";
import { hoistRecursiveSchemas } from "../generator/emit/recursive-aliases.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { KNOWN_DECLARATIONS } from "../generator/print/known-declarations.js";
import { ROOT, testDocuments } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/types-printer");
const reference = (ast: ts.Node[]) => prettier.format(astToString(ast), { parser: "typescript", printWidth: 100 });

const long = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}_${i}`);

/** Constructs the shared documents meet rarely or never: each printed at widths around 100. */
const EDGE = {
  openapi: "3.1.0",
  info: { title: "Edge cases", version: "1" },
  paths: {
    "/a/{id}": {
      get: {
        operationId: "getA",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", enum: ["x'y", 'x"y', "x\"'y", "\\", "é ü 字 🎉"] } }],
        responses: { 200: { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Everything" } } } } },
      },
    },
  },
  components: {
    schemas: {
      Everything: {
        type: "object",
        required: ["required_a", "1st", "quoted-key", "withRequired"],
        description: "Trailing blanks   \n\ttabbed line\n\n*/ closes early, /* opens\r\nCRLF line",
        default: { nested: { deep: [1, 2, { x: "y" }] } },
        properties: {
          required_a: { type: "string" },
          "1st": { type: "integer", format: "int64" },
          "quoted-key": { type: "string", description: "one line" },
          "it's": { type: "string" },
          'say "hi"': { type: "string" },
          café: { type: "string" },
          "200": { type: "number" },
          "1e21": { type: "number" },
          "0.5": { type: "number" },
          numbers: { enum: [1e21, 0.5, -3, 1.5e-7, 100, 0] },
          mixed: { enum: ["a", 1, true, null] },
          constant: { const: "fixed" },
          shortUnion: { oneOf: [{ type: "string" }, { type: "number" }] },
          longUnion: { type: "string", enum: long(12, "value_that_is_long") },
          longUnionArray: { type: "array", items: { type: "string", enum: long(12, "value_that_is_long") } },
          nullableObject: { type: ["object", "null"], properties: { a: { type: "string" } } },
          nullableArray: { type: ["array", "null"], items: { type: ["object", "null"], properties: { a: { type: "string" } } } },
          objectsUnion: { oneOf: [{ type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { b: { type: "string" } } }] },
          refsIntersection: { allOf: [{ $ref: "#/components/schemas/Small" }, { $ref: "#/components/schemas/Other" }] },
          longIntersection: {
            allOf: [...Array(5).fill({ $ref: "#/components/schemas/Small" }), { $ref: "#/components/schemas/Other_with_a_rather_long_name_to_force_wrapping_of_the_line" }],
          },
          mixedIntersection: { allOf: [{ $ref: "#/components/schemas/Small" }, { type: "object", properties: { extra: { type: "string" } } }, { $ref: "#/components/schemas/Other" }] },
          withRequired: { allOf: [{ $ref: "#/components/schemas/Small" }], required: long(8, "required_property_name") },
          tuple: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false },
          tupleWithRest: { type: "array", prefixItems: [{ type: "string" }], items: { type: "boolean" } },
          tupleOfUnions: { type: "array", prefixItems: [{ enum: long(6, "first_tuple_member") }, { enum: long(6, "second_tuple_member") }], items: false },
          constArray: { const: ["a", 1] },
          emptyArrayConst: { const: [] },
          constObject: { const: { a: 1, "b-c": [true] } },
          emptyObjectConst: { const: {} },
          map: { type: "object", additionalProperties: { type: "integer" } },
          mapOfUnions: { type: "object", additionalProperties: { oneOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] } },
          mapAndProps: { type: "object", properties: { fixed: { type: "string" } }, additionalProperties: true },
          binary: { type: "string", format: "binary" },
          readOnlyField: { type: "string", readOnly: true },
          writeOnlyField: { type: "string", writeOnly: true },
          deprecatedField: { type: "string", deprecated: true, title: "Title", example: "ex" },
          arrayOfArrays: { type: "array", items: { type: "array", items: { oneOf: [{ type: "string" }, { type: "integer" }] } } },
          unicodeValues: { type: "string", enum: ["字字字字字字字字字字字字字字字字字字字字", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", "ascii_value_filling_the_line_up"] },
          veryLongLiteral: { const: "x".repeat(120) },
          deep: {
            type: "object",
            properties: {
              level1: {
                type: "object",
                properties: {
                  level2: {
                    type: "object",
                    properties: { level3: { type: "string", enum: long(4, "deep_enough_value_to_pass_the_width") } },
                  },
                },
              },
            },
          },
        },
      },
      Small: { type: "object", properties: Object.fromEntries(long(8, "required_property_name").map((k) => [k, { type: "string" }])) },
      NextLine: {
        type: "object",
        properties: {
          a_rather_long_property_name_that_pushes_its_union_to_the_next_line: { enum: ["first_value", "second_value", "third"] },
        },
      },
      Other: { type: "object", properties: { o: { type: "string" } } },
      Other_with_a_rather_long_name_to_force_wrapping_of_the_line: { type: "object" },
      Empty: { type: "object" },
      Recursive: { type: "object", properties: { children: { type: "array", items: { $ref: "#/components/schemas/Recursive" } } } },
    },
  },
};

/** A description TypeScript and prettier split differently (lone CR, LS): left to prettier. */
const LINE_SEPARATORS = {
  openapi: "3.0.3",
  info: { title: "Line separators", version: "1" },
  paths: {},
  components: { schemas: { A: { type: "object", properties: { a: { type: "string", description: "one\rtwo\u2028three" } } } } },
};

/** Random documents: names, strings and comments from awkward pieces, schemas nested a few levels. */
const piece = fc.constantFrom("word", "id", " ", "  ", "\n", "\t", "*/", "/*", "'", '"', "\\", "`", "${x}", "@x", "*", "é", "字", "🎉", "-", "1", "_", "$");
const text = (max: number) => fc.array(piece, { maxLength: max }).map((p) => p.join(""));
const name = fc.oneof(fc.constantFrom("id", "a-b", "1st", "200", "0.5", "1e21", "x y", "__proto__", "constructor", "it's", 'q"t'), text(4).filter((t) => t.length > 0));
const SCHEMA_NAMES = ["A", "B", "C"];
const { schema } = fc.letrec<{ schema: object }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom({ type: "string" }, { type: "integer", format: "int32" }, { type: "boolean" }, { type: "string", format: "binary" }, { type: ["string", "null"] }),
    fc.record({ enum: fc.uniqueArray(fc.oneof(text(6), fc.integer({ min: -5, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 14 }) }),
    fc.record({ const: fc.oneof(text(5), fc.integer(), fc.boolean()) }),
    fc.constantFrom(...SCHEMA_NAMES).map((n) => ({ $ref: `#/components/schemas/${n}` })),
    fc.record(
      { type: fc.constant("object"), properties: fc.dictionary(name, tie("schema"), { maxKeys: 5 }), description: text(12), additionalProperties: fc.oneof(fc.boolean(), tie("schema")) },
      { requiredKeys: ["type", "properties"] },
    ),
    fc.record({ type: fc.constant("array"), items: tie("schema") }),
    fc.record({ oneOf: fc.array(tie("schema"), { minLength: 1, maxLength: 4 }) }),
    fc.record({ allOf: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ type: fc.constant("array"), prefixItems: fc.array(tie("schema"), { minLength: 1, maxLength: 3 }), items: fc.constant(false) }),
  ),
}));
const randomDocument = fc.record({
  schemas: fc.tuple(...SCHEMA_NAMES.map(() => schema)),
  descriptions: fc.tuple(text(30), text(8)),
});

function writeDocument(name: string, document: object): string {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/**
 * Documents openapiTS cannot take whole: its Redocly pass calls `Object.prototype` members for
 * schema keys named like them (`toLocaleString`). Our loader resolves such a self-contained
 * document itself, so for these the reference is openapi-typescript's AST without that pass.
 */
const REDOCLY_CRASHES: Record<string, RegExp> = {
  "prototype-names.yaml": /Object\.prototype\.toLocaleString called on null or undefined/,
};

/** Asserts the new path's text is the old one's (openapiTS with its Redocly passes, astToString, prettier); returns any fallback. */
async function check(file: string): Promise<string | undefined> {
  const model = buildModel(await loadSpec(file, {}));
  const { text, fallback } = await formatTypes(typesAst(model));
  const crash = REDOCLY_CRASHES[path.basename(file)];
  if (crash) {
    await expect(openapiTS(typesDocument(model), typesOptions(model))).rejects.toThrow(crash);
    expect(text).toBe(await reference(typesAst(model)));
  } else expect(text).toBe(await reference(hoistRecursiveSchemas(await openapiTS(typesDocument(model), typesOptions(model)))));
  return fallback;
}

/** Documents whose types the direct printer leaves to prettier, with why. */
const EXPECTED_FALLBACKS: Record<string, RegExp> = {
  "line-separators": /comment with a CR or Unicode line separator/,
};

const documents = testDocuments();

describe("types printer = prettier(astToString(ast))", () => {
  it("covers the shared documents", () => expect(documents.length).toBeGreaterThan(30));

  for (const { name, file } of documents) {
    it(name, async () => {
      expect(await check(file)).toBeUndefined();
    });
  }

  it("edge cases: quotes, numbers, keys, long unions, intersections, tuples, comments, wide characters", async () => {
    expect(await check(writeDocument("edge", EDGE))).toBeUndefined();
  });

  it("random documents", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(randomDocument, async ({ schemas, descriptions: [long, short] }) => {
        const document = {
          openapi: "3.1.0",
          info: { title: "Random", version: "1" },
          paths: { "/r": { get: { operationId: "r", description: long, summary: short, responses: { 200: { description: short || "ok", content: { "application/json": { schema: schemas[0] } } } } } } },
          // A bare `$ref` as a whole component could point at itself: nest it.
          components: { schemas: Object.fromEntries(SCHEMA_NAMES.map((name, i) => [name, { description: i === 0 ? long : short, ...("$ref" in schemas[i]! ? { allOf: [schemas[i]] } : schemas[i]) }])) },
        };
        // Same text either way (check asserts it); a recursive alias (generator/emit/recursive-aliases.ts) longer than a line is prettier's to lay out.
        const fallback = await check(writeDocument(`random-${n++ % 4}`, document));
        if (fallback !== undefined) expect(fallback).toMatch(/^types printer: unsupported type alias longer than a line/);
      }),
      { numRuns: 60, seed: 20261201 },
    );
  }, 120_000);

  for (const [name, document] of Object.entries({ "line-separators": LINE_SEPARATORS })) {
    it(`falls back where expected: ${name}`, async () => {
      expect(await check(writeDocument(name, document))).toMatch(EXPECTED_FALLBACKS[name]!);
    });
  }

  it("falls back, with the same text, on a node kind it does not print", async () => {
    const ast = typesAst(buildModel(await loadSpec(path.join(ROOT, "examples/petstore/openapi.yaml"), {})));
    const f = ts.factory;
    const withEnum = [...ast, f.createEnumDeclaration([f.createModifier(ts.SyntaxKind.ExportKeyword)], "Color", [f.createEnumMember("Red", f.createStringLiteral("red"))])];
    const { text, fallback } = await formatTypes(withEnum);
    expect(fallback).toMatch(/unsupported statement \(EnumDeclaration\)/);
    expect(text).toBe(await reference(withEnum));
    expect(text).toContain('export enum Color {\n  Red = "red",\n}');
  });

  it("knows prettier's formatting of every declaration openapi-typescript parses from strings", async () => {
    expect(Object.keys(KNOWN_DECLARATIONS).length).toBeGreaterThanOrEqual(5);
    for (const [raw, formatted] of Object.entries(KNOWN_DECLARATIONS)) {
      expect(await prettier.format(raw, { parser: "typescript", printWidth: 100 })).toBe(`${formatted}\n`);
    }
  });
});
