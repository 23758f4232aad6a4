/**
 * JSON shape limits (runtime/limits.ts): the text scanner the gateway runs before parsing and the
 * value walk the runtime's decoder runs before validation agree, and the decoder answers 400/413.
 */
import { describe, expect, it } from "vitest";
import { decodeRequest, handleRequest, prepareOperation, type OperationSpec } from "../runtime/index.js";
import { checkJsonText, checkJsonValue, JSON_MAX_DEPTH, JSON_MAX_MEMBERS } from "../runtime/limits.js";
import { RestRequestError } from "../runtime/rest.js";

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
    expect(checkJsonText(bytes(nested(10_000)))).toEqual({
      limit: "depth",
      status: 400,
      message: `JSON body nests deeper than ${JSON_MAX_DEPTH} levels`,
    });
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

describe("the runtime decoder refuses over-limit bodies before validating them", () => {
  const op = prepareOperation({
    handler: "put",
    endpoint: "put",
    method: "PUT",
    path: "/things",
    params: [],
    body: { required: true, content: { "application/json": null } },
    responses: { "200": "application/json" },
  } satisfies OperationSpec);
  const envelope = (body: unknown) => ({
    method: "PUT",
    url: "/things",
    path: "/things",
    headers: { "content-type": "application/json" },
    path_params: {},
    query_params: {},
    body,
  });

  it("decodeRequest: 400 naming the depth limit, for a parsed body and for a JSON string body; 413 for members", () => {
    for (const body of [JSON.parse(nested(10_000)), nested(10_000)]) {
      const err = (() => {
        try {
          decodeRequest(op, envelope(body));
        } catch (e) {
          return e as RestRequestError;
        }
      })();
      expect(err).toBeInstanceOf(RestRequestError);
      expect(err).toMatchObject({
        status: 400,
        message: `JSON body nests deeper than ${JSON_MAX_DEPTH} levels`,
        errors: [{ in: "body", pointer: "" }],
      });
    }
    expect(() => decodeRequest(op, envelope(new Array(JSON_MAX_MEMBERS + 1).fill(0)))).toThrow(expect.objectContaining({ status: 413 }));
    expect(decodeRequest(op, envelope(JSON.parse(nested(JSON_MAX_DEPTH)))).body).toEqual(JSON.parse(nested(JSON_MAX_DEPTH)));
  });

  it("handleRequest: a 10,000-deep envelope body gets a 400 reply, the handler is not called", async () => {
    let called = false;
    const payload = bytes(`{"method":"PUT","url":"/things","path":"/things","headers":{},"body":${nested(10_000)}}`);
    const noop = {
      debug() {},
      info() {},
      warn() {},
      error() {},
      child: () => noop,
    };
    const reply = await handleRequest(op, () => ((called = true), { status: 200, body: null }), payload, "s", noop);
    expect(reply).toMatchObject({
      statuscode: 400,
      body: { detail: `JSON body nests deeper than ${JSON_MAX_DEPTH} levels` },
    });
    expect(called).toBe(false);
  });
});
