/**
 * handlers.ts, client.ts and register.ts as their emitters print them (generator/print/declarations.ts, in
 * prettier's layout) against prettier on the same statements' source (`print: false`): for every
 * document the generator tests use, plus documents built to hit the layouts' edges (long names
 * and paths, quotes, wide characters, comments, many media types) and random ones, the formatted
 * files must be byte-identical, and only the statements expected to be left to prettier may be.
 * GitHub's description: `npx tsx bench/handlers-printer.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emitClient } from "../generator/emit/client.js";
import { emitHandlers } from "../generator/emit/handlers.js";
import { emitRegister } from "../generator/emit/register.js";
import { formatTypeScript, formattedStatement, STATEMENT_BREAK } from "../generator/format.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { ROOT, testDocuments } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/handlers-printer");
const RUNTIME = "@symphony-codegen/runtime";
const PRINTED = formattedStatement("");

/** The statements an emitter leaves to prettier. */
const fallbacks = (source: string) => source.split(STATEMENT_BREAK).filter((s) => /\S/.test(s) && !s.startsWith(PRINTED));

interface Result {
  statements: number;
  /** Statements left to prettier, by file. */
  handlers: string[];
  client: string[];
  register: string[];
}

/** Asserts both files print as prettier formats them; returns what was left to prettier. */
async function check(file: string, runtimeImport = RUNTIME): Promise<Result> {
  const model = buildModel(await loadSpec(file, {}));
  const result: Result = { statements: 0, handlers: [], client: [], register: [] };
  for (const [name, emit] of [
    ["handlers", emitHandlers],
    ["client", emitClient],
    ["register", emitRegister],
  ] as const) {
    const printed = emit(model, runtimeImport, true);
    expect(await formatTypeScript(printed), `${name}.ts`).toBe(await formatTypeScript(emit(model, runtimeImport, false)));
    result.statements += printed.split(STATEMENT_BREAK).length;
    result[name] = fallbacks(printed);
  }
  return result;
}

/** Nothing is left to prettier: a document that needs no other formatting never loads it. */
function expectNothingLeft(result: Result): void {
  expect(result.handlers).toEqual([]);
  expect(result.client).toEqual([]);
  expect(result.register).toEqual([]);
}

function writeDocument(name: string, document: object): string {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

const words = (n: number, word: string) => Array.from({ length: n }, (_, i) => `${word}${i}`).join("-");
const ok = (mediaTypes: string[]) => ({ description: "ok", content: Object.fromEntries(mediaTypes.map((m) => [m, { schema: { type: "string" } }])) });
const json = ["application/json"];

/** Names, paths and comments at and past the width where prettier breaks each statement. */
const EDGE = {
  openapi: "3.1.0",
  info: { title: "Edge */ 'single' \"double\" `tick` 字字 🎉   ", version: "1" },
  paths: Object.fromEntries([
    // Long paths: NonNullable<…> and the indexed types past the width (types go through the
    // path only for an operation without an operationId; `short`'s go through `operations`).
    [
      `/${words(12, "segment")}/{id}`,
      {
        get: { operationId: "short", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { 200: ok(json) } },
        put: {
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            { name: "q", in: "query", schema: { type: "string" } },
          ],
          requestBody: { content: { "application/json": { schema: { type: "string" } } } },
          responses: { 200: ok(json) },
        },
      },
    ],
    // Operation names around the widths of `export type …Response = {`, the const and the method lines.
    ...[20, 40, 55, 60, 62, 64, 66, 70, 75, 80, 85, 90, 100].map((n) => [
      `/n${n}`,
      {
        post: {
          operationId: "o".repeat(n),
          summary: `summary of ${n}   `,
          requestBody: {
            required: n % 2 === 0,
            content: Object.fromEntries(["application/json", "text/plain"].map((m) => [m, { schema: { type: "string" } }])),
          },
          parameters: [{ name: "q", in: "query", required: n % 4 === 0, schema: { type: "string" } }],
          responses: n % 3 === 0 ? {} : n % 3 === 1 ? { 204: { description: "none" } } : { 200: ok(json), "4XX": ok(json), default: ok(["text/plain"]) },
        },
      },
    ]),
    // Quotes, backslashes, wide characters and comment closers in paths, media types and comments.
    [
      '/quotes/"double"/\'single\'/""/\\back/字字字字字字字字字字/🎉🎉/*/ trailing   ',
      {
        put: {
          operationId: "quotes",
          description: "Line one   \n\n\tindented with a tab\n  two spaces\r\nCRLF */ closes\u2028LS",
          deprecated: true,
          requestBody: {
            content: Object.fromEntries(
              ['application/"quoted"', "application/it's", "text/字", `application/${"x".repeat(70)}`].map((m) => [m, { schema: { type: "string" } }]),
            ),
          },
          responses: {
            201: {
              description: "created",
              headers: { "X-A": { required: true, schema: { type: "string" } } },
              content: { 'application/"q"': { schema: { type: "string" } } },
            },
            "2XX": { description: "any", headers: { "X-B": { schema: { type: "string" } } } },
          },
        },
      },
    ],
    // Many media types: long unions in the request's body and the client's contentType.
    [
      "/many",
      {
        post: {
          operationId: "many",
          requestBody: {
            required: true,
            content: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`application/vnd.example.kind-${i}+json`, { schema: { type: "string" } }])),
          },
          parameters: ["path", "query", "header", "cookie"].map((where) => ({
            name: `p_${where}`,
            in: where,
            required: where === "path",
            schema: { type: "string" },
          })),
          responses: { 200: ok(Array.from({ length: 4 }, (_, i) => `application/vnd.example.result-${i}+json`)) },
        },
      },
    ],
    // readOnly / writeOnly: rt.Writable<…> and rt.Readable<…> around long types.
    [
      `/${words(6, "visible")}`,
      {
        patch: {
          operationId: "visibleProperties",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/Marked" } } } },
          parameters: [{ name: "m", in: "query", schema: { $ref: "#/components/schemas/Marked" } }],
          responses: { 200: { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Marked" } } } } },
        },
      },
    ],
  ]),
  webhooks: {
    [`hook-${"w".repeat(80)}`]: {
      post: { requestBody: { content: { "application/json": { schema: { type: "object" } } } }, responses: { 200: { description: "ok" } } },
    },
  },
  components: { schemas: { Marked: { type: "object", properties: { id: { type: "string", readOnly: true }, secret: { type: "string", writeOnly: true } } } } },
};

const NO_OPERATIONS = { openapi: "3.1.0", info: { title: "Empty", version: "1" }, paths: {} };

const shared = testDocuments();

/** Random operations: names and paths of any length, awkward characters, any mix of bodies and responses. */
const piece = fc.constantFrom("word", "id", "{p}", " ", "*/", "'", '"', "\\", "`", "é", "字", "🎉", "-", "_", "long_segment_name");
const text = (max: number) => fc.array(piece, { maxLength: max }).map((p) => p.join(""));
const mediaType = fc.oneof(
  fc.constantFrom("application/json", "text/plain", "application/octet-stream"),
  text(6).map((t) => `application/x-${t}`),
);
const operation = fc.record({
  operationId: fc.array(fc.constantFrom("get", "update", "repository", "organization", "secret", "x"), { minLength: 1, maxLength: 18 }).map((w) => w.join("_")),
  path: text(14),
  summary: text(10),
  body: fc.option(fc.record({ required: fc.boolean(), media: fc.uniqueArray(mediaType, { minLength: 1, maxLength: 5 }) })),
  query: fc.boolean(),
  responses: fc.array(
    fc.record({
      status: fc.constantFrom("200", "201", "204", "2XX", "404", "default"),
      media: fc.uniqueArray(mediaType, { maxLength: 3 }),
      header: fc.option(fc.boolean()),
    }),
    {
      maxLength: 3,
    },
  ),
});

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function randomDocument(operations: Operation[]): object {
  const paths: Record<string, Record<string, object>> = {};
  operations.forEach((op, i) => {
    paths[`/r${i}/${op.path}`] = {
      get: {
        operationId: `${op.operationId}_${i}`,
        summary: op.summary,
        parameters: op.query ? [{ name: "q", in: "query", schema: { type: "string" } }] : [],
        ...(op.body
          ? { requestBody: { required: op.body.required, content: Object.fromEntries(op.body.media.map((m) => [m, { schema: { type: "string" } }])) } }
          : {}),
        responses: Object.fromEntries(
          op.responses.map((r) => [
            r.status,
            {
              description: "r",
              ...(r.header === null ? {} : { headers: { "X-H": { required: r.header, schema: { type: "string" } } } }),
              ...(r.media.length ? { content: Object.fromEntries(r.media.map((m) => [m, { schema: { type: "string" } }])) } : {}),
            },
          ]),
        ),
      },
    };
  });
  return { openapi: "3.1.0", info: { title: "Random", version: "1" }, paths };
}

describe("handlers.ts, client.ts and register.ts printed = prettier(statements)", () => {
  it("covers the shared documents", () => expect(shared.length).toBeGreaterThan(30));

  let statements = 0;
  let left = 0;
  for (const { name, file } of shared) {
    it(name, async () => {
      const result = await check(file);
      expectNothingLeft(result);
      statements += result.statements;
      left += result.handlers.length + result.client.length + result.register.length;
    });
  }

  it("leaves none of the shared documents' statements to prettier", () => {
    expect(statements).toBeGreaterThan(1000);
    expect(left).toBe(0);
  });

  it("edge cases: widths around 100, quotes, wide characters, comments, long unions, visibility, webhooks", async () => {
    const result = await check(writeDocument("edge", EDGE), 'runtime-é/"quoted"');
    expectNothingLeft(result);
  });

  it("register.ts: service names, versions and descriptions around the width, with quotes and wide characters", async () => {
    for (const n of [60, 75, 80, 84, 85, 86, 87, 88, 90, 95, 100, 110]) {
      for (const text of ["d".repeat(n), `${"字".repeat(n / 2)}`, `it's "quoted" ${"q".repeat(n - 16)}`, `'${"s".repeat(n)}'`]) {
        const info = { title: text, version: text.slice(0, n - 8), description: text };
        expectNothingLeft(await check(writeDocument(`register-${n}`, { openapi: "3.1.0", info, paths: {} })));
      }
    }
  }, 120_000);

  it("a document without operations: empty interfaces", async () => {
    const result = await check(writeDocument("empty", NO_OPERATIONS));
    expectNothingLeft(result);
  });

  it("random documents", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 4 }), async (operations) => {
        expectNothingLeft(await check(writeDocument(`random-${n++ % 4}`, randomDocument(operations))));
      }),
      { numRuns: 40, seed: 20261201 },
    );
  }, 120_000);
});
