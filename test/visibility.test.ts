/**
 * readOnly / writeOnly (fixtures/visibility.yaml): request types and decoders leave readOnly
 * properties out (not required; stripped when sent), response types and response validation
 * leave writeOnly ones out (not required; an error naming the field when returned). Only schemas
 * holding such properties get direction variants; the rest keep their one constant.
 */
import { copyFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildEnvelope, checkResponse, decodeRequest, prepareOperation, RestRequestError, type OperationSpec } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { VisibilityIndex } from "../generator/model.js";
import { ROOT } from "./helpers/specs.js";
import { typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/visibility");
let table: readonly OperationSpec[];
let files: Record<string, string>;

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  const result = await generate(path.join(ROOT, "fixtures/visibility.yaml"), { out: path.join(OUT, "generated") });
  files = Object.fromEntries(result.files.map((f) => [f.name, f.content]));
  ({ operationTable: table } = (await import(pathToFileURL(path.join(OUT, "generated/operations.ts")).href)) as { operationTable: readonly OperationSpec[] });
});

const op = (handler: string) => prepareOperation(table.find((o) => o.handler === handler)!);
const decode = (handler: string, body: unknown) => decodeRequest(op(handler), buildEnvelope(op(handler), { body })).body;
const respond = (handler: string, status: number, body: unknown) => checkResponse(op(handler), { body, statuscode: status, contenttype: "application/json" });

/** The 400's field errors for a body (none when it decodes). */
function rejected(handler: string, body: unknown): unknown[] {
  try {
    decode(handler, body);
    return [];
  } catch (err) {
    if (err instanceof RestRequestError && err.status === 400) return err.errors;
    throw err;
  }
}

describe("types", () => {
  it("request types have no readOnly properties, response types no writeOnly ones (tsc --strict, @ts-expect-error)", async () => {
    copyFileSync(path.join(ROOT, "fixtures/visibility-usage.ts"), path.join(OUT, "generated/usage.ts"));
    const output = await typeCheck(OUT, ["generated/*.ts"]);
    // Unused `@ts-expect-error` directives would be errors too: each marks a property that must be absent.
    expect(output).toBe("");
  }, 60_000);

  it("wraps only the bodies whose schemas hold markers", () => {
    const handlers = files["handlers.ts"]!;
    expect(handlers).toMatch(/export interface CreateAccountRequest \{[^}]*body: rt\.Writable</);
    expect(handlers).toMatch(/body: rt\.Readable<components\["schemas"\]\["Account"\]>/);
    // postNote answers a Plain (no markers): its response type is left alone.
    expect(handlers).toContain('body: components["schemas"]["Plain"];');
  });
});

describe("schemas", () => {
  it("emits direction variants only for schemas that hold readOnly / writeOnly properties", () => {
    const names = [...files["schemas.ts"]!.matchAll(/export const (\w+):/g)].map((m) => m[1]).sort();
    expect(names).toEqual([
      "AccountSchema",
      "AccountSchemaForRequest",
      "AccountSchemaForResponse",
      "AdminSchema",
      "AdminSchemaForRequest",
      "AdminSchemaForResponse",
      "NodeSchema",
      "NodeSchemaForRequest",
      "PersonSchema",
      "PersonSchemaForRequest",
      "PlainSchema",
    ]);
  });

  it("finds markers through $refs, allOf and cycles", () => {
    const doc = {
      components: {
        schemas: {
          A: { type: "object", properties: { b: { $ref: "#/components/schemas/B" } } },
          B: { type: "object", properties: { a: { $ref: "#/components/schemas/A" }, c: { allOf: [{ $ref: "#/components/schemas/C" }] } } },
          C: { type: "object", properties: { secret: { type: "string", writeOnly: true } } },
          D: { type: "object", properties: { self: { $ref: "#/components/schemas/D" }, both: { readOnly: true, writeOnly: true } } },
        },
      },
    };
    const index = new VisibilityIndex(doc);
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(index.has(ref("A"), "writeOnly")).toBe(true);
    expect(index.has(ref("B"), "writeOnly")).toBe(true);
    expect(index.has(ref("A"), "readOnly")).toBe(false);
    // A property marked both ways is neither (openapi-typescript leaves it unwrapped).
    expect(index.marked(ref("D"))).toBe(false);
    expect(index.has({ type: "array", items: { properties: { id: { readOnly: true } } } }, "readOnly")).toBe(true);
  });
});

describe("request decoding", () => {
  it("accepts a body without its required readOnly properties", () => {
    expect(decode("createAccount", { name: "Ada", password: "secret-1" })).toEqual({ name: "Ada", password: "secret-1" });
  });

  it("removes readOnly properties a client sends: directly, through $refs, allOf parts and recursion", () => {
    const account = { id: 7, name: "Ada", password: "secret-1", createdAt: "2024-01-01T00:00:00Z", owner: { id: "p1", email: "ada@example.com" } };
    expect(decode("createAccount", account)).toEqual({ name: "Ada", password: "secret-1", owner: { email: "ada@example.com" } });
    expect(decode("createAdmin", { ...account, level: 2, auditId: "x" })).toEqual({ name: "Ada", password: "secret-1", owner: { email: "ada@example.com" }, level: 2 });
    const tree = { id: 1, label: "root", children: [{ id: 2, label: "a", children: [{ id: 3, label: "b" }] }] };
    expect(decode("putTree", tree)).toEqual({ label: "root", children: [{ label: "a", children: [{ label: "b" }] }] });
    // Inline schema with additionalProperties: false: sending it is allowed, and it is dropped.
    expect(decode("postNote", { revision: 3, text: "hi" })).toEqual({ text: "hi" });
  });

  it("still checks a readOnly value that is sent, and everything else", () => {
    expect(rejected("createAccount", { id: "seven", name: "Ada", password: "secret-1" })).toEqual([
      expect.objectContaining({ in: "body", pointer: "/id" }),
    ]);
    expect(rejected("createAccount", { name: "Ada" })).toEqual([expect.objectContaining({ in: "body", pointer: "/password" })]);
    expect(rejected("createAdmin", { name: "Ada", password: "secret-1" })).toEqual([expect.objectContaining({ pointer: "/level" })]);
  });
});

describe("response validation", () => {
  const returned = { id: 1, name: "Ada", createdAt: "2024-01-01T00:00:00Z" };

  it("accepts a response without its required writeOnly properties", () => {
    expect(respond("createAccount", 201, returned)).toEqual([]);
    expect(respond("createAdmin", 201, { ...returned, level: 1, auditId: "a1" })).toEqual([]);
  });

  it("reports a writeOnly property a handler returns, by name", () => {
    expect(respond("createAccount", 201, { ...returned, password: "secret-1" })).toEqual([{ pointer: "/password", message: "writeOnly property must not appear in a response" }]);
    expect(respond("listAccounts", 200, [returned, { ...returned, password: "secret-1" }])).toEqual([expect.objectContaining({ pointer: "/1/password" })]);
    expect(respond("createAdmin", 201, { ...returned, password: "x", level: 1, auditId: "a1" })).toEqual([expect.objectContaining({ pointer: "/password" })]);
  });

  it("requires readOnly properties in responses", () => {
    expect(respond("createAccount", 201, { name: "Ada" })?.map((i) => i.pointer).sort()).toEqual(["/createdAt", "/id"]);
  });
});
