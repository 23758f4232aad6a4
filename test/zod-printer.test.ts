/**
 * The zod-table printer (generator/print/expr-printer.ts) against prettier: for every document
 * the generator tests use, every schemas.ts constant and operations.ts table it prints must be
 * byte-identical to what prettier makes of the raw statement; statements it refuses are counted
 * (they go to prettier). Then hand-made expressions at every width around printWidth 100.
 * GitHub's description: `npx tsx bench/zod-printer.ts`.
 */
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { operationTables, schemaConstantLeft } from "../generator/emit/operations.js";
import { ZodEmitter } from "../generator/emit/zod.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { ExprPrinter, Unsupported } from "../generator/print/expr-printer.js";
import { testDocuments } from "./helpers/specs.js";

const printer = new ExprPrinter(prettier.util.getStringWidth);
const format = (source: string) => prettier.format(source, { parser: "typescript", printWidth: 100 });

interface Statement {
  left: string;
  code: string;
  comment?: string;
}

const raw = (s: Statement) => `${s.comment ? s.comment + "\n" : ""}${s.left} = ${s.code};\n`;

/** Prints what the printer takes, checks it against prettier (one call for all), returns the refusals' reasons. */
async function check(statements: Statement[]): Promise<{ printed: number; refused: string[] }> {
  const sources: string[] = [];
  const ours: string[] = [];
  const refused: string[] = [];
  for (const s of statements) {
    try {
      ours.push(`${s.comment ? s.comment + "\n" : ""}${printer.statement(s.left, s.code)}\n`);
      sources.push(raw(s));
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      refused.push(error.message);
    }
  }
  if (ours.length > 0) expect(ours.join("\n")).toBe(await format(sources.join("\n")));
  return { printed: ours.length, refused };
}

async function documentStatements(file: string): Promise<Statement[]> {
  const model = buildModel(await loadSpec(file, {}));
  const zod = new ZodEmitter(model.document, model.openapiVersion);
  zod.emitComponents(model.schemas);
  // As in generation: the tables first, since operations may add constants.
  const tables = operationTables(model, zod);
  const { pieces, constants } = zod.resolved();
  return [...pieces, ...constants.map((c) => ({ left: schemaConstantLeft(c), code: c.code })), ...tables];
}

const documents = testDocuments();

/** Statements the printer leaves to prettier, by document: each must stay rare and explained. */
const EXPECTED_REFUSALS: Record<string, RegExp> = {
  "digitalocean/DigitalOcean-public.v2.yaml": /lone short argument/,
};

/** Expressions of the emitters' grammar that meet prettier's layout rules, each tried at every width around 100. */
const long = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}_${i}`);
const strings = (n: number, word: string) => long(n, word).map((s) => JSON.stringify(s));
const EXPRESSIONS = [
  `z.looseObject({ a: z.string(), b: rt.integer().gte(1).lte(100).default(20).optional(), c: z.enum([${strings(5, "c")}]) })`,
  `z.looseObject({ id: z.string(), "quoted-key": z.string(), "it's": z.string(), "say \\"hi\\"": z.string(), "200": z.number(), ["__proto__"]: z.string() })`,
  `z.looseObject({ in: "a string value that is rather long and cannot be broken at all, it just overflows the line", pathname: "a string value that is rather long and cannot be broken at all, it overflows the line" })`,
  `z.looseObject({ num: 12345678901234567890, negative: -1.5e-7, big: 1e+21, yes: true, no: false, nothing: null, undef: undefined, id: SomeRatherLongIdentifierNameSchema, member: schemas.SomeRatherLongIdentifierNameSchema })`,
  `z.looseObject({ nested: z.looseObject({ inner: z.looseObject({ deepest: z.string().regex(new RegExp("^[a-z]+(?:-[a-z]+)*$", "u")).optional() }).optional() }), list: z.array(z.looseObject({ a: z.string(), b: z.string() })).optional() })`,
  `rt.allOf([PetSchema, z.looseObject({ id: rt.integer(), name: z.string(), tag: z.string().optional() }), OtherSchema.nullable().optional()])`,
  `rt.oneOf([z.string(), z.number(), z.looseObject({ kind: rt.constOf("x"), value: z.array(z.string()).min(1).max(10) })])`,
  `rt.discriminated("kind", { circle: () => CircleSchema, square: () => SquareSchema, "odd-one": () => z.lazy(() => OddSchema), other: () => schemas.OtherSchema })`,
  `rt.patternProperties(z.looseObject({ a: z.string() }), ["a"], [[new RegExp("^x-", "u"), z.string()], [new RegExp("^y-"), z.number()]], z.never())`,
  `rt.omitReadOnly(z.looseObject({ id: rt.integer().optional(), name: z.string() }), ["id", "created_at", "updated_at"])`,
  `rt.propertyCount(z.looseObject({ a: z.string().optional(), b: z.string().optional() }), 1, undefined)`,
  `z.record(z.string(), z.lazy(() => NodeSchema))`,
  `rt.contains(z.lazy(() => NodeSchema), 1, 5)`,
  `z.object({ fixed: z.string() }).catchall(z.looseObject({ a: z.string(), b: z.number().optional() }))`,
  `z.looseObject({ a: z.string() }).default({ a: "x" }).optional()`,
  `z.looseObject({ field: z.string() }).nullable().optional()`,
  `z.array(z.looseObject({ field_one: z.string(), field_two: z.string().nullable().optional() })).nullable().optional()`,
  `rt.uniqueItems(z.array(z.enum([${strings(8, "item")}])))`,
  `z.enum([${strings(14, "value")}])`,
  `rt.enumOf([1, 2, 3, "four", null, true])`,
  `rt.enumOf([${long(30, "1").map((_, i) => i * 1000)}])`,
  `rt.length(z.string().regex(new RegExp("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", "u")), 1, 255)`,
  `rt.ifThenElse(z.looseObject({ kind: rt.constOf("a") }), z.looseObject({ a: z.string() }), z.looseObject({ b: z.string() }))`,
  `rt.stringFormat("date-time").nullable().optional()`,
  `rt.multipleOf(rt.integer().gte(0).lte(1000), 5).default(10)`,
  `z.tuple([z.string().optional(), rt.integer().optional(), z.looseObject({ a: z.string() }).optional()], z.boolean())`,
  `[{ handler: "getThing", endpoint: "getThing", method: "GET", path: "/things/{id}", params: [{ name: "id", in: "path", required: true, style: "simple", explode: false, shape: { types: ["string"] }, schema: z.string() }], responses: { "200": "application/json", default: null }, responseBodies: { "200": { "application/json": () => z.looseObject({ id: z.string(), name: z.string().optional(), children: z.array(schemas.ThingSchema).optional() }) } } }, { handler: "h", endpoint: "e", method: "POST", path: "/", params: [], body: { required: false, content: { "application/json": schemas.ThingSchema, "multipart/form-data": z.looseObject({ file: z.string(), note: z.string().optional() }) }, shapes: { "multipart/form-data": { types: ["object"], properties: { file: { types: ["string"] } } } } }, responses: { "204": null } }]`,
  `z.looseObject({ "a 字段": z.string(), "b 名前": z.string().optional(), emoji: rt.constOf("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"), wide: rt.constOf("字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字") })`,
  `z.looseObject({ "café": z.string(), "字段": z.string() })`,
  // A name too long for any line: it runs past the end wherever it lands (Graph's collection responses).
  `[{ handler: "listThings", endpoint: "things_ListThings", method: "GET", path: "/things", params: [], responses: { "2XX": "application/json" }, responseBodies: { "2XX": { "application/json": () => schemas.${"VeryLong".repeat(12)}CollectionResponseSchema } } }]`,
  `z.looseObject({ value: z.array(${"VeryLong".repeat(12)}Schema).optional(), other: schemas.${"VeryLong".repeat(12)}Schema })`,
  // Shared pieces' builders (generator/emit/shared-pieces.ts), wherever a schema goes.
  `z.looseObject({ a: shared0(), ${"a_rather_long_property_name_".repeat(3)}: shared12(), list: z.array(shared3()).optional(), u: rt.oneOf([shared1(), shared2()]) })`,
];

describe("zod-table printer = prettier", () => {
  it("covers the shared documents", () => expect(documents.length).toBeGreaterThan(30));

  let statements = 0;
  let printed = 0;
  for (const { name, file } of documents) {
    it(
      name,
      async () => {
        const all = await documentStatements(file);
        const result = await check(all);
        statements += all.length;
        printed += result.printed;
        const expected = Object.entries(EXPECTED_REFUSALS).find(([key]) => name.endsWith(key))?.[1];
        for (const reason of result.refused) expect(reason).toMatch(expected ?? /^$/);
      },
      60_000,
    );
  }

  it("prints all but a tiny share of the statements", () => {
    // The documents above ran first (vitest runs a file's tests in order).
    expect(statements).toBeGreaterThan(500);
    console.log(`zod-table printer: ${printed} of ${statements} statements printed, ${statements - printed} left to prettier`);
    expect(printed / statements).toBeGreaterThan(0.99);
  });

  it("hand-made expressions at every width around printWidth", async () => {
    const all: Statement[] = [];
    // Component constants and shared pieces are built on first use: each expression also as `z.lazy(() => …)`.
    const lazy = EXPRESSIONS.filter((e) => !e.startsWith("[")).map((e) => `z.lazy(() => ${e})`);
    for (const code of [...EXPRESSIONS, ...lazy, "z.lazy(() => SomeRatherLongIdentifierNameSchemaThatIsAliasedByAnother)"]) {
      for (let n = 1; n <= 90; n++) all.push({ left: `export const ${"N".repeat(n)}: z.ZodType`, code });
    }
    // Typed constants: the annotation's length moves `= rt.lazy(() =>` across the line's end, then breaks the annotation.
    for (const code of lazy.map((e) => e.replace(/^z\.lazy/, "rt.lazy"))) {
      for (let n = 1; n <= 40; n++) all.push({ left: `export const ${"N".repeat(n)}: z.ZodType<rt.Unmarked<components["schemas"]["Account"]>>`, code });
      // Up to a declaration (and a type argument) wider than a line: both run past its end.
      for (let n = 40; n <= 120; n += 4)
        all.push({ left: `export const ${"N".repeat(n / 2)}Schema: z.ZodType<components["schemas"][${JSON.stringify("n".repeat(n))}]>`, code });
    }
    const { printed: count, refused } = await check(all);
    console.log(
      `hand-made: ${count} of ${all.length} printed`,
      [...new Set(refused)].map((r) => `${r}: ${refused.filter((x) => x === r).length}`),
    );
    // Number arrays (prettier's fill), the unquoted Unicode key, and lone short call arguments stay with prettier.
    for (const reason of refused) expect(reason).toMatch(/array of numbers|unicode key|lone short argument|long chain head|break after operator/);
    expect(count).toBeGreaterThan(all.length * 0.85);
  }, 60_000);

  it("refuses what is outside its grammar", () => {
    for (const code of ["a + b", "f()()", "f(a)", "shared0().optional()", "`x`", "x[0]", "z.string(", "'single'", "(a) => a", "{ a }"]) {
      expect(() => printer.statement("export const X: z.ZodType", code)).toThrow(Unsupported);
    }
  });
});
