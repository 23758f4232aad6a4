/**
 * JSON shape limits (runtime/serve/limits.ts): the text scanner the gateway runs before parsing and the
 * value walk the runtime's decoder runs before validation agree, and the decoder answers 400/413.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeRequest, prepareOperation } from "../runtime/serve/request.js";
import type { OperationSpec } from "../runtime/serve/operation.js";
import { checkJsonText, checkJsonValue, JSON_MAX_DEPTH, JSON_MAX_MEMBERS } from "../runtime/serve/limits.js";
import type { Logger } from "../runtime/core/log.js";
import { RestRequestError, type RestRequest } from "../runtime/serve/envelope.js";
import { handleRequest } from "../runtime/serve/serve.js";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + "null" + "}".repeat(depth);
const bytes = (text: string) => Buffer.from(text, "utf8");

/** Both checks on one JSON text: the limit each reports (undefined when within). */
function both(text: string, maxDepth?: number, maxMembers?: number): [string | undefined, string | undefined] {
  return [checkJsonText(bytes(text), maxDepth, maxMembers)?.limit, checkJsonValue(JSON.parse(text), maxDepth, maxMembers)?.limit];
}

describe("JSON shape limits", () => {
  it(`depth: ${JSON_MAX_DEPTH} levels pass, one more is refused (arrays, objects, mixed)`, () => {
    expect(both(nested(JSON_MAX_DEPTH))).toEqual([undefined, undefined]);
    expect(both(nested(JSON_MAX_DEPTH + 1))).toEqual(["depth", "depth"]);
    expect(both(nestedObject(JSON_MAX_DEPTH))).toEqual([undefined, undefined]);
    expect(both(nestedObject(JSON_MAX_DEPTH + 1))).toEqual(["depth", "depth"]);
    expect(both('[{"a":[{"b":[]}]}]', 5)).toEqual([undefined, undefined]);
    expect(both('[{"a":[{"b":[]}]}]', 4)).toEqual(["depth", "depth"]);
    expect(checkJsonText(bytes(nested(10_000)))).toEqual({ limit: "depth", status: 400, message: `nests deeper than ${JSON_MAX_DEPTH} levels` });
  });

  it("members: object members plus array elements, counted over the whole body", () => {
    expect(both("[1,2,3]", undefined, 3)).toEqual([undefined, undefined]);
    expect(both("[1,2,3,4]", undefined, 3)).toEqual(["members", "members"]);
    // 2 members + 1 element + 2 elements; empty containers have none.
    expect(both('{"a":[1],"b":[{},[]]}', undefined, 5)).toEqual([undefined, undefined]);
    expect(both('{"a":[1],"b":[{},[]]}', undefined, 4)).toEqual(["members", "members"]);
    expect(both(" [ ] ", undefined, 0)).toEqual([undefined, undefined]);
    expect(checkJsonValue(new Array(JSON_MAX_MEMBERS + 1).fill(0))).toMatchObject({ limit: "members", status: 413 });
  });

  it("brackets, commas and escaped quotes inside strings are text", () => {
    const text = JSON.stringify({ s: `${nested(500)},,,\\"[[[`, t: '"]]]' });
    expect(both(text, 2, 2)).toEqual([undefined, undefined]);
    expect(checkJsonText(bytes(JSON.stringify(["é[", "日本[[", "\u2028"])), 1, 3)).toBeUndefined();
  });

  it("scalars and non-JSON text pass (JSON.parse reports invalid JSON)", () => {
    expect(checkJsonValue("[[[[")).toBeUndefined();
    expect(checkJsonValue(null)).toBeUndefined();
    expect(checkJsonText(bytes("not json"))).toBeUndefined();
  });
});

describe("the runtime decoder refuses over-limit JSON before validating it", () => {
  const op = prepareOperation({
    handler: "put",
    endpoint: "put",
    method: "PUT",
    path: "/things",
    params: [{ name: "filter", in: "query", required: false, json: true, shape: {}, schema: () => z.unknown() }],
    body: { required: true, content: { "application/json": null } },
    responses: { "200": "application/json" },
  } satisfies OperationSpec);
  const envelope = (body: unknown, query: Record<string, string> = {}) => ({
    method: "PUT",
    url: "/things",
    path: "/things",
    headers: { "content-type": "application/json" },
    path_params: {},
    query_params: query,
    body,
  });
  const rejection = (request: RestRequest): RestRequestError => {
    try {
      decodeRequest(op, request);
    } catch (err) {
      if (err instanceof RestRequestError) return err;
      throw err;
    }
    throw new Error("decoded");
  };
  const DEPTH = `nests deeper than ${JSON_MAX_DEPTH} levels`;

  it("a body: 400 naming the depth limit, parsed in the envelope or as base64 JSON text; 413 for members; the limit itself passes", () => {
    const asBytes = { ...envelope(Buffer.from(nested(10_000)).toString("base64")), body_encoding: "base64" };
    for (const request of [envelope(JSON.parse(nested(10_000))), asBytes]) {
      expect(rejection(request)).toMatchObject({
        status: 400,
        message: `JSON body ${DEPTH}`,
        errors: [{ in: "body", pointer: "", message: `JSON body ${DEPTH}` }],
      });
    }
    expect(rejection(envelope(new Array(JSON_MAX_MEMBERS + 1).fill(0)))).toMatchObject({ status: 413 });
    expect(decodeRequest(op, envelope(JSON.parse(nested(JSON_MAX_DEPTH)))).body).toEqual(JSON.parse(nested(JSON_MAX_DEPTH)));
  });

  it("a parameter with JSON content: 400 naming it and the limit", () => {
    expect(rejection(envelope({}, { filter: nested(10_000) }))).toMatchObject({
      status: 400,
      message: `query parameter "filter": JSON value ${DEPTH}`,
      errors: [{ in: "query", name: "filter", message: `JSON value ${DEPTH}` }],
    });
    expect(decodeRequest(op, envelope({}, { filter: nested(JSON_MAX_DEPTH) })).query.filter).toEqual(JSON.parse(nested(JSON_MAX_DEPTH)));
  });

  it("handleRequest: a 10,000-deep envelope body gets a 400 reply, the handler is not called", async () => {
    let called = false;
    const payload = bytes(`{"method":"PUT","url":"/things","path":"/things","headers":{},"body":${nested(10_000)}}`);
    const reply = await handleRequest(op, () => ((called = true), { status: 200, body: null }), payload, "s", SILENT);
    expect(reply).toMatchObject({ statuscode: 400, body: { detail: `JSON body ${DEPTH}` } });
    expect(called).toBe(false);
  });
});

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };
