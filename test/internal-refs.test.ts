/**
 * `$ref`s into another schema's inside (issue 14, item 3; fixtures/internal-refs.yaml): into a
 * property, an array's items, an allOf and a oneOf member, additionalProperties, a parameter's and
 * a body's schema, through optional properties and another `$ref`, and a schema reaching itself
 * through an inner reference. Each target becomes a component of its own (generator/hoist.ts):
 * types.ts compiles under `tsc --strict` with the `@ts-nocheck` headers removed, each reference has
 * its target's own type, and the decoders agree.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel, generate, loadSpec } from "../generator/index.js";
import { decodeRequest, prepareOperation } from "../runtime/serve/request.js";
import type { OperationSpec } from "../runtime/serve/operation.js";
import { RestRequestError, type RestRequest } from "../runtime/serve/envelope.js";
import { ROOT } from "./helpers/specs.js";
import { checkEveryLine, typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/internal-refs");
const GENERATED = path.join(OUT, "generated");

/** Each hoisted component is its target's own type: values of the target fit, wrong ones do not (each @ts-expect-error must meet an error). */
const USAGE = `import type { components } from "./generated/types.js";
type S = components["schemas"];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [
  Same<S["Order.lines.items"], S["Order"]["lines"][number]>,
  Same<S["Order.meta.customer"], NonNullable<NonNullable<S["Order"]["meta"]>["customer"]>>,
  Same<S["Order.tags.additionalProperties"], NonNullable<S["Order"]["tags"]>[string]>,
  Same<NonNullable<S["Order"]["firstLine"]>, S["Order.lines.items"]>,
  Same<NonNullable<S["Order"]["noteText"]>, string>,
  Same<S["Limit.schema"], number>,
  Same<NonNullable<S["Order"]["sameAsBody"]>, S["_orders__id__notes.put.requestBody.content.application_json.schema.entry"]>,
] = [true, true, true, true, true, true, true];
const method: S["Order.payment.allOf.0"] = { method: "card" };
// @ts-expect-error: not one of the enum's values
const wrongMethod: S["Order.payment.allOf.0"] = { method: "cheque" };
const pickup: S["Order.delivery.oneOf.1"] = { store: 3 };
// @ts-expect-error: store is required
const noStore: S["Order.delivery.oneOf.1"] = {};
const parts: S["Order.parts"] = [{ label: "a", parts: [{ label: "b", parts: [] }] }];
// @ts-expect-error: a part's parts are parts
const wrongParts: S["Order.parts"] = [{ parts: [{ label: 1 }] }];
export const used = [checks, method, wrongMethod, pickup, noStore, parts, wrongParts];
`;

let operations: OperationSpec[];

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await generate(path.join(ROOT, "fixtures/internal-refs.yaml"), { out: GENERATED });
  ({ operationTable: operations } = await import(pathToFileURL(path.join(GENERATED, "operations.ts")).href));
});

function post(body: unknown): RestRequest {
  return { method: "POST", url: "/orders", path: "/orders", headers: { "content-type": "application/json" }, path_params: {}, query_params: {}, body };
}

function errors(body: unknown): unknown {
  try {
    decodeRequest(prepareOperation(operations[0]!), post(body));
  } catch (error) {
    expect(error).toBeInstanceOf(RestRequestError);
    return (error as RestRequestError).errors;
  }
  throw new Error("expected the request to be refused");
}

describe("references into schemas' insides", () => {
  it("compile under tsc --strict with every line checked, each with its target's own type", async () => {
    await checkEveryLine(GENERATED);
    writeFileSync(path.join(OUT, "usage.ts"), USAGE);
    expect(await typeCheck(OUT, ["generated/*.ts", "usage.ts"])).toBe("");
  }, 60_000);

  it("decode a request through each of them, and refuse what their targets refuse", () => {
    const body = {
      id: 1,
      lines: [{ sku: "a", qty: 2 }],
      meta: { customer: { name: "Ann" }, note: { text: "ring twice" } },
      payment: { method: "card", amount: 3.5 },
      delivery: { store: 7 },
      tags: { gift: { value: "yes" } },
      parts: [{ label: "box", parts: [{ label: "lid", parts: [] }] }],
      firstLine: { sku: "b" },
      method: { method: "cash" },
      pickup: { store: 2 },
      tag: { value: "v" },
      noteText: "short",
      quantity: 3,
      sameAsBody: { at: 1 },
    };
    expect(decodeRequest(prepareOperation(operations[0]!), post(body)).body).toEqual(body);
    expect(errors({ ...body, firstLine: { sku: "" } })).toEqual([expect.objectContaining({ in: "body", pointer: "/firstLine/sku" })]);
    expect(errors({ ...body, method: { method: "cheque" } })).toEqual([expect.objectContaining({ in: "body", pointer: "/method/method" })]);
    expect(errors({ ...body, pickup: {} })).toEqual([expect.objectContaining({ in: "body", pointer: "/pickup/store" })]);
    expect(errors({ ...body, tag: {} })).toEqual([expect.objectContaining({ in: "body", pointer: "/tag/value" })]);
    expect(errors({ ...body, noteText: "x".repeat(21) })).toEqual([expect.objectContaining({ in: "body", pointer: "/noteText" })]);
    expect(errors({ ...body, quantity: 11 })).toEqual([expect.objectContaining({ in: "body", pointer: "/quantity" })]);
    expect(errors({ ...body, sameAsBody: {} })).toEqual([expect.objectContaining({ in: "body", pointer: "/sameAsBody/at" })]);
    expect(errors({ ...body, parts: [{ parts: [{ parts: [{ label: 5 }] }] }] })).toEqual([
      expect.objectContaining({ in: "body", pointer: "/parts/0/parts/0/parts/0/label" }),
    ]);
  });

  it("a document without components gets one for the target, under a name from its path", async () => {
    const file = path.join(OUT, "no-components.yaml");
    const body = { content: { "application/json": { schema: { type: "object", properties: { x: { type: "string" } } } } } };
    const ok = {
      description: "ok",
      content: { "application/json": { schema: { $ref: "#/paths/~1a/post/requestBody/content/application~1json/schema/properties/x" } } },
    };
    const paths = { "/a": { post: { operationId: "postA", requestBody: body, responses: { "200": ok } } } };
    writeFileSync(file, JSON.stringify({ openapi: "3.1.0", info: { title: "n", version: "1" }, paths }));
    const model = buildModel(await loadSpec(file));
    expect(model.document.components).toEqual({ schemas: { "_a.post.requestBody.content.application_json.schema.x": { type: "string" } } });
    expect(model.operations[0]!.responses[0]!.content[0]!.schema).toEqual({
      $ref: "#/components/schemas/_a.post.requestBody.content.application_json.schema.x",
    });
  });
});

describe('a reference through a property named ""', () => {
  it("resolves (an empty pointer segment is a key), hoists and compiles with every line checked", async () => {
    const out = path.join(OUT, "empty-key");
    await generate(path.join(ROOT, "fixtures/empty-key-ref.yaml"), { out: path.join(out, "generated") });
    await checkEveryLine(path.join(out, "generated"));
    writeFileSync(
      path.join(out, "usage.ts"),
      `import type { components } from "./generated/types.js";\nconst a: components["schemas"]["A2.allOf.1..allOf.0"] = { n: 1 };\n// @ts-expect-error: n is an integer\nconst b: components["schemas"]["A2.allOf.1..allOf.0"] = { n: "1" };\nexport const used = [a, b];\n`,
    );
    expect(await typeCheck(out, ["generated/*.ts", "usage.ts"])).toBe("");
  }, 120_000);
});
