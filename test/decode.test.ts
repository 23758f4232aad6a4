/**
 * Unit tests (no NATS) of request decoding: the envelope parser, parameter styles and
 * coercion, the validating decoder, the zod helpers generated schemas call, and the
 * generator's handling of the OpenAPI 3.0 dialect (fixtures/nullable-30.yaml).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildModel, emitFiles, loadSpec } from "../generator/index.js";
import { valueShape } from "../generator/emit/shape.js";
import { valueLiteral } from "../generator/names.js";
import { decodeRequest, prepareOperation } from "../runtime/serve/request.js";
import type { OperationSpec, ParamEntry } from "../runtime/serve/operation.js";
import { matchMediaType } from "../runtime/serve/body.js";
import { coerceScalar, parseCookies, readParam, type ParamSpec, type ValueShape } from "../runtime/serve/parameters.js";
import { buildMultipart, multipartFields, parseFormUrlEncoded, parseMultipart } from "../runtime/serve/media.js";
import { encodeResponse } from "../runtime/serve/response.js";
import { buildEnvelope } from "../runtime/client/client.js";
import { PROTOTYPE_MEMBER_NAMES } from "./helpers/prototype-names.js";
import { parseRestRequest, RestRequestError, type RestRequest } from "../runtime/serve/envelope.js";
import * as rt from "../runtime/serve/schema.js";

const INT: ValueShape = { types: ["integer"] };
const INTS: ValueShape = { types: ["array"], items: INT };
const POINT: ValueShape = { types: ["object"], props: { x: INT, y: INT } };

function request(part: Partial<RestRequest> = {}): RestRequest {
  return { method: "GET", url: "/", path: "/", headers: {}, path_params: {}, query_params: {}, ...part };
}

/** Reads one parameter out of an envelope, expecting success. */
function read(spec: Omit<ParamSpec, "shape"> & { shape?: ValueShape }, part: Partial<RestRequest>, declared: string[] = []): unknown {
  const req = request(part);
  const result = readParam({ shape: {}, ...spec }, { request: req, cookies: parseCookies(req.headers["cookie"]), declaredQuery: new Set(declared) });
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function decodeError(fn: () => unknown): RestRequestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RestRequestError);
    return err as RestRequestError;
  }
  throw new Error("expected a RestRequestError");
}

describe("parseRestRequest", () => {
  it("parses bytes, lower-cases header names, stringifies scalar values and fills defaults", () => {
    const payload = new TextEncoder().encode(
      JSON.stringify({ method: "post", url: "/pets?limit=2", headers: { "Content-Type": "application/json" }, path_params: { id: 7 }, query_params: { limit: "2", tag: ["a", "b"], on: true }, body: { a: 1 } }),
    );
    expect(parseRestRequest(payload)).toEqual({
      method: "POST",
      url: "/pets?limit=2",
      path: "/pets",
      headers: { "content-type": "application/json" },
      path_params: { id: "7" },
      query_params: { limit: "2", tag: ["a", "b"], on: "true" },
      body: { a: 1 },
    });
    expect(parseRestRequest("")).toMatchObject({ method: "GET", url: "", path: "", headers: {}, path_params: {}, query_params: {} });
    expect(parseRestRequest({ url: "/x", headers: null })).toMatchObject({ path: "/x", headers: {} });
  });

  it("rejects what is not a JSON object", () => {
    const notJson = decodeError(() => parseRestRequest("{nope"));
    expect(notJson.status).toBe(400);
    expect(notJson.errors).toEqual([expect.objectContaining({ in: "envelope" })]);
    expect(decodeError(() => parseRestRequest("[1,2]")).errors).toEqual([{ in: "envelope", pointer: "", message: "expected an object" }]);
  });

  it("names every malformed field by JSON pointer", () => {
    const err = decodeError(() => parseRestRequest({ method: 5, headers: { "X-A": { nested: 1 } }, path_params: [], query_params: { "a/b": [1], ok: "1" } }));
    expect(err.status).toBe(400);
    expect(err.errors.map((e) => e.pointer)).toEqual(["/method", "/headers/X-A", "/path_params", "/query_params/a~1b"]);
  });

  it("reads only the envelope's own keys, and a reply's own headers, even with a polluted Object.prototype", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto["X-Polluted"] = { not: "a string" };
    try {
      const request = parseRestRequest(JSON.stringify({ headers: { "X-Sent": "1" }, query_params: { q: "a" } }));
      expect(Object.keys(request.headers)).toEqual(["x-sent"]);
      expect(Object.keys(request.query_params)).toEqual(["q"]);
      const reply = encodeResponse({ "200": "application/json" }, { status: 200, body: {}, headers: { "X-Total": 3 } });
      expect(reply.headers).toEqual({ "X-Total": "3" });
      expect(Object.keys(reply.headers ?? {})).toEqual(["X-Total"]);
    } finally {
      delete proto["X-Polluted"];
    }
  });
});

describe("coerceScalar", () => {
  it.each([
    ["42", INT, 42],
    // Only canonical text is a number; the rest stays a string for the schema to refuse, naming the parameter.
    [" 42 ", INT, " 42 "],
    ["1.0", INT, "1.0"],
    ["1e0", INT, "1e0"],
    ["01", INT, "01"],
    ["-7", INT, -7],
    ["9007199254740993", INT, 9007199254740992], // rounded by Number(), then refused by rt.integer() as unsafe
    ["-1.5e2", { types: ["number"] }, -150],
    [".5", { types: ["number"] }, ".5"],
    ["1.0", { types: ["number"] }, 1],
    ["2.5", INT, "2.5"],
    ["2.5", { types: ["integer", "number"] }, 2.5],
    ["abc", INT, "abc"],
    ["", INT, ""],
    ["0x10", INT, "0x10"],
    ["true", { types: ["boolean"] }, true],
    ["false", { types: ["boolean"] }, false],
    ["TRUE", { types: ["boolean"] }, "TRUE"],
    ["null", { types: ["integer", "null"] }, null],
    ["null", { types: ["null"] }, null],
    ["null", { types: ["string", "null"] }, null], // "null" means null whenever null is allowed
    ["7", { types: ["string"] }, "7"],
    ["7", {}, "7"],
    ["7", { types: ["string", "integer"] }, 7],
  ] as [string, ValueShape, unknown][])("%j as %j → %j", (value, shape, expected) => {
    expect(coerceScalar(value, shape)).toEqual(expected);
  });
});

describe("readParam", () => {
  describe("path", () => {
    it.each([
      ["simple", false, INT, "5", 5],
      ["simple", false, INTS, "3,4,5", [3, 4, 5]],
      ["simple", true, INTS, "3,4,5", [3, 4, 5]],
      ["simple", false, POINT, "x,1,y,2", { x: 1, y: 2 }],
      ["simple", true, POINT, "x=1,y=2", { x: 1, y: 2 }],
      ["label", false, INT, ".5", 5],
      ["label", false, INTS, ".3,4,5", [3, 4, 5]],
      ["label", true, INTS, ".3.4.5", [3, 4, 5]],
      ["label", false, INTS, ".", []],
      ["label", false, POINT, ".x,1,y,2", { x: 1, y: 2 }],
      ["label", true, POINT, ".x=1.y=2", { x: 1, y: 2 }],
      ["matrix", false, INT, ";id=5", 5],
      ["matrix", false, INTS, ";id=3,4,5", [3, 4, 5]],
      ["matrix", true, INTS, ";id=3;id=4;id=5", [3, 4, 5]],
      ["matrix", false, INTS, ";id", []],
      ["matrix", false, POINT, ";id=x,1,y,2", { x: 1, y: 2 }],
      ["matrix", true, POINT, ";x=1;y=2", { x: 1, y: 2 }],
    ] as [string, boolean, ValueShape, string, unknown][])("%s explode=%s %j: %s", (style, explode, shape, wire, expected) => {
      expect(read({ name: "id", in: "path", style, explode, shape }, { path_params: { id: wire } })).toEqual(expected);
    });

    it("is undefined when absent", () => {
      expect(read({ name: "id", in: "path", style: "simple", shape: INT }, {})).toBeUndefined();
    });
  });

  describe("query", () => {
    it.each([
      ["form", true, INTS, { id: ["3", "4"] }, [3, 4]],
      ["form", true, INTS, { id: "3" }, [3]],
      ["form", false, INTS, { id: "3,4,5" }, [3, 4, 5]],
      ["form", false, INTS, { id: ["3,4", "5"] }, [3, 4, 5]],
      ["form", false, INTS, { id: "" }, []],
      ["form", false, POINT, { id: "x,1,y,2" }, { x: 1, y: 2 }],
      ["form", true, POINT, { x: "1", y: ["0", "2"], other: "9" }, { x: 1, y: 2 }],
      ["spaceDelimited", false, INTS, { id: "3 4 5" }, [3, 4, 5]],
      ["pipeDelimited", false, INTS, { id: "3|4|5" }, [3, 4, 5]],
      ["spaceDelimited", false, POINT, { id: "x 1 y 2" }, { x: 1, y: 2 }],
      ["pipeDelimited", false, POINT, { id: "x|1|y|2" }, { x: 1, y: 2 }],
      ["deepObject", true, POINT, { "id[x]": "1", "id[y]": "2", "other[x]": "3" }, { x: 1, y: 2 }],
      ["form", true, INT, { id: "5" }, 5],
      ["form", true, INT, { id: ["5", "6"] }, [5, 6]], // a repeated scalar stays a list, for the schema to reject
    ] as [string, boolean, ValueShape, Record<string, string | string[]>, unknown][])("%s explode=%s %j: %j", (style, explode, shape, query_params, expected) => {
      expect(read({ name: "id", in: "query", style, explode, shape }, { query_params })).toEqual(expected);
    });

    it("an exploded object without declared properties takes the undeclared query keys", () => {
      const value = read({ name: "rest", in: "query", style: "form", explode: true, shape: { types: ["object"] } }, { query_params: { limit: "5", a: "1", b: "x" } }, ["limit", "rest"]);
      expect(value).toEqual({ a: "1", b: "x" });
    });

    it("objects with no members present are absent", () => {
      expect(read({ name: "id", in: "query", style: "deepObject", explode: true, shape: POINT }, { query_params: { id: "1" } })).toBeUndefined();
      expect(read({ name: "id", in: "query", style: "form", explode: true, shape: POINT }, { query_params: { z: "1" } })).toBeUndefined();
    });

    it("parameters with JSON content are parsed, not split", () => {
      expect(read({ name: "q", in: "query", json: true, shape: {} }, { query_params: { q: ['{"a":1}', '{"a":[1,2]}'] } })).toEqual({ a: [1, 2] });
      const bad = readParam({ name: "q", in: "query", json: true, shape: {} }, { request: request({ query_params: { q: "{" } }), cookies: {}, declaredQuery: new Set() });
      expect(bad).toEqual({ ok: false, message: "expected a JSON value" });
    });
  });

  describe("header and cookie", () => {
    it.each([
      [false, INT, "5", 5],
      [false, INTS, "3,4,5", [3, 4, 5]],
      [false, POINT, "x,1,y,2", { x: 1, y: 2 }],
      [true, POINT, "x=1,y=2", { x: 1, y: 2 }],
    ] as [boolean, ValueShape, string, unknown][])("header explode=%s %j: %s", (explode, shape, wire, expected) => {
      expect(read({ name: "X-Id", in: "header", style: "simple", explode, shape }, { headers: { "x-id": wire } })).toEqual(expected);
    });

    it("cookies: form values, quoted and percent-encoded", () => {
      expect(parseCookies('a=1; b="two words"; c=x%3By; =skip; d')).toEqual({ a: "1", b: "two words", c: "x;y" });
      const cookie = "ids=3,4,5; pt=x,1,y,2; n=7";
      expect(read({ name: "ids", in: "cookie", style: "form", explode: false, shape: INTS }, { headers: { cookie } })).toEqual([3, 4, 5]);
      expect(read({ name: "pt", in: "cookie", style: "form", explode: false, shape: POINT }, { headers: { cookie } })).toEqual({ x: 1, y: 2 });
      expect(read({ name: "n", in: "cookie", style: "form", shape: INT }, { headers: { cookie } })).toBe(7);
    });
  });
});

describe("decodeRequest", () => {
  const param = ({ schema, ...p }: Omit<ParamEntry, "schema" | "shape"> & { shape?: ValueShape; schema: z.ZodType }): ParamEntry => ({ shape: {}, ...p, schema: () => schema });
  const op: OperationSpec = {
    handler: "h",
    endpoint: "h",
    method: "POST",
    path: "/things/{id}",
    params: [
      param({ name: "id", in: "path", required: true, style: "simple", shape: INT, schema: rt.integer().gte(1) }),
      param({ name: "limit", in: "query", style: "form", explode: true, shape: INT, schema: rt.integer().lte(50).default(10).optional() }),
      param({ name: "filter", in: "query", style: "deepObject", explode: true, shape: POINT, schema: z.strictObject({ x: rt.integer().optional(), y: rt.integer().optional() }).optional() }),
      param({ name: "X-Mode", in: "header", required: true, style: "simple", schema: z.enum(["a", "b"]) }),
      param({ name: "sid", in: "cookie", style: "form", schema: z.string().min(3).optional() }),
    ],
    body: {
      required: true,
      content: {
        "application/json": () => z.strictObject({ name: z.string(), size: rt.integer().default(1), tags: rt.uniqueItems(z.array(z.string())).optional() }),
        "text/*": () => z.string().max(5),
        "application/octet-stream": null,
      },
    },
    responses: { "200": "application/json" },
  };
  const prepared = prepareOperation(op);
  const good = () => request({ method: "POST", path_params: { id: "3" }, headers: { "x-mode": "a", "content-type": "application/json", cookie: "sid=abc" }, body: { name: "n" } });

  it("returns every location decoded, coerced, validated and defaulted", () => {
    expect(decodeRequest(prepared, { ...good(), query_params: { "filter[x]": "1" } })).toEqual({
      path: { id: 3 },
      query: { limit: 10, filter: { x: 1 } },
      headers: { "X-Mode": "a" },
      cookies: { sid: "abc" },
      body: { name: "n", size: 1 },
      contentType: "application/json",
    });
  });

  it("refuses an envelope whose method is not the operation's: 405 with Allow, nothing decoded", () => {
    const err = decodeError(() => decodeRequest(prepared, { ...good(), method: "DELETE" }));
    expect(err.status).toBe(405);
    expect(err.headers).toEqual({ Allow: "POST" });
    expect(err.message).toMatch(/^method "DELETE" is not allowed: this endpoint serves POST /);
  });

  it("collects every error with its parameter name or body pointer", () => {
    const err = decodeError(() =>
      decodeRequest(prepared, request({ method: "POST", path_params: { id: "0" }, query_params: { limit: "99", "filter[x]": "a", "filter[z]": "1" }, headers: { cookie: "sid=x" }, body: { name: 1, extra: true, tags: ["a", "a"] } })),
    );
    expect(err.status).toBe(400);
    expect(err.errors.map((e) => [e.in, e.name ?? e.pointer])).toEqual([
      ["path", "id"],
      ["query", "limit"],
      ["query", "filter.x"],
      ["query", "filter.z"], // an unknown member of a closed object is named itself
      ["header", "X-Mode"],
      ["cookie", "sid"],
      ["body", "/name"],
      ["body", "/tags"],
      ["body", "/extra"],
    ]);
    expect(err.errors.find((e) => e.in === "header")!.message).toBe("required");
    expect(err.errors.find((e) => e.pointer === "/extra")!.message).toBe('Unrecognized key: "extra"');
    expect(err.message).toMatch(/^path parameter "id": .* \(and 8 more\)$/);
  });

  it("reads JSON bodies parsed or as base64 text (a string is a JSON string), and picks the media type by content type", () => {
    const json = '{"name":"s","size":2}';
    expect(decodeRequest(prepared, { ...good(), body: Buffer.from(json).toString("base64"), body_encoding: "base64" }).body).toEqual({ name: "s", size: 2 });
    // Decoded once: the string is the body's value, not JSON text to parse again.
    expect(decodeError(() => decodeRequest(prepared, { ...good(), body: json })).errors).toEqual([
      expect.objectContaining({ in: "body", pointer: "", message: expect.stringMatching(/expected object/) }),
    ]);
    const text = decodeRequest(prepared, { ...good(), headers: { "x-mode": "b", "content-type": "text/plain; charset=utf-8" }, body: "hello" });
    expect(text).toMatchObject({ body: "hello", contentType: "text/*" });
    expect(decodeError(() => decodeRequest(prepared, { ...good(), headers: { "x-mode": "b", "content-type": "text/plain" }, body: "too long" })).errors).toEqual([
      expect.objectContaining({ in: "body", pointer: "" }),
    ]);
    // Binary media types reach the handler as bytes: base64 when the envelope says so, else the text's UTF-8.
    const raw = decodeRequest(prepared, { ...good(), headers: { "x-mode": "b", "content-type": "application/octet-stream" }, body: "AAEC", body_encoding: "base64" });
    expect(raw).toMatchObject({ body: new Uint8Array([0, 1, 2]), contentType: "application/octet-stream" });
    const plain = decodeRequest(prepared, { ...good(), headers: { "x-mode": "b", "content-type": "application/octet-stream" }, body: "AB" });
    expect(plain.body).toEqual(new Uint8Array([65, 66]));
  });

  it("a client's JSON body null or \"\" reaches the handler as that value, not as no body (test/property: a nullable body)", () => {
    const nullable: OperationSpec = { ...op, params: [], body: { required: true, content: { "application/json": () => z.union([z.string(), z.null()]) } } };
    for (const value of [null, ""]) {
      const envelope = buildEnvelope(nullable, { body: value });
      expect(envelope.body_encoding).toBe("base64");
      const wire = parseRestRequest(new TextEncoder().encode(JSON.stringify(envelope)));
      expect(decodeRequest(prepareOperation(nullable), wire).body).toBe(value);
    }
  });

  it("rejects a missing body, invalid JSON and an undeclared content type", () => {
    const missing = decodeError(() => decodeRequest(prepared, { ...good(), body: undefined }));
    expect(missing.errors).toEqual([{ in: "body", pointer: "", message: "required" }]);
    expect(missing.message).toBe("body: required");
    expect(decodeError(() => decodeRequest(prepared, { ...good(), body: Buffer.from("{").toString("base64"), body_encoding: "base64" })).errors[0]!.message).toMatch(
      /^Body is not valid JSON/,
    );
    const unsupported = decodeError(() => decodeRequest(prepared, { ...good(), headers: { "x-mode": "a", "content-type": "image/png" }, body: "x" }));
    expect(unsupported.status).toBe(415);
    expect(unsupported.errors).toEqual([{ in: "header", name: "content-type", message: 'expected one of application/json, text/*, application/octet-stream, got "image/png"' }]);
  });

  describe("messages", () => {
    /** The problem's detail and its errors, as a client reads them. */
    const rejected = (part: Partial<RestRequest>) => {
      const err = decodeError(() => decodeRequest(prepared, { ...good(), ...part }));
      return { detail: err.message, errors: err.errors };
    };

    it("a missing required body field says required, in detail and errors alike", () => {
      const { detail, errors } = rejected({ body: { size: 2 } });
      expect(errors).toEqual([{ in: "body", pointer: "/name", message: "required" }]);
      expect(detail).toBe("body field /name: required");
      // A field that is present with the wrong type is not "required": it says what came.
      expect(rejected({ body: { name: 5 } })).toEqual({ detail: "body field /name: expected string, got 5", errors: [{ in: "body", pointer: "/name", message: "expected string, got 5" }] });
      expect(rejected({ body: { name: "n", tags: [1] } }).errors).toEqual([{ in: "body", pointer: "/tags/0", message: "expected string, got 1" }]);
      expect(rejected({ body: { name: "n", tags: {} } }).errors[0]!.message).toBe("expected array, got an object");
    });

    it("a bad path, query or header parameter echoes what was received", () => {
      expect(rejected({ path_params: { id: "abc" } })).toEqual({
        detail: 'path parameter "id": expected integer, got "abc"',
        errors: [{ in: "path", name: "id", message: 'expected integer, got "abc"' }],
      });
      expect(rejected({ path_params: { id: "2.5" } }).errors[0]!.message).toBe('expected integer, got "2.5"');
      for (const id of [" 1 ", "1.0", "1e0"]) expect(rejected({ path_params: { id } }).detail).toBe(`path parameter "id": expected integer, got ${JSON.stringify(id)}`);
      expect(rejected({ path_params: { id: "9007199254740993" } }).detail).toBe(
        'path parameter "id": Integer beyond ±9007199254740991 cannot be received exactly (declare it as a string with format int64)',
      );
      expect(rejected({ path_params: { id: "0" } }).errors[0]!.message).toBe("Too small: expected number to be >=1, got 0");
      expect(rejected({ query_params: { limit: "99" } }).detail).toBe('query parameter "limit": Too big: expected number to be <=50, got 99');
      expect(rejected({ query_params: { "filter[x]": "a" } }).detail).toBe('query parameter "filter.x": expected integer, got "a"');
      expect(rejected({ headers: { "x-mode": "c", "content-type": "application/json" } }).detail).toBe('header parameter "X-Mode": Invalid option: expected one of "a"|"b", got "c"');
      expect(rejected({ headers: { "content-type": "application/json" } }).detail).toBe('header parameter "X-Mode": required');
    });

    it("echoed values are JSON-quoted and cut; cookie values are never echoed", () => {
      const long = "x".repeat(100);
      expect(rejected({ path_params: { id: long } }).errors[0]!.message).toBe(`expected integer, got "${"x".repeat(40)}…"`);
      expect(rejected({ path_params: { id: 'a"\n\u0000</script>' } }).errors[0]!.message).toBe('expected integer, got "a\\"\\n\\u0000</script>"');
      expect(rejected({ headers: { "x-mode": "a", "content-type": "application/json", cookie: "sid=s3" } }).errors).toEqual([
        { in: "cookie", name: "sid", message: "Too small: expected string to have >=3 characters" },
      ]);
    });

    it("detail names the first error's location as errors[] does: `<in> parameter \"name\"` or `body field <pointer>`", () => {
      const { detail, errors } = rejected({ path_params: { id: "x" }, body: { size: "big" } });
      expect(errors.map((e) => [e.in, e.name ?? e.pointer])).toEqual([
        ["path", "id"],
        ["body", "/name"],
        ["body", "/size"],
      ]);
      expect(detail).toBe('path parameter "id": expected integer, got "x" (and 2 more)');
      expect(rejected({ body: { size: "big" } }).detail).toBe("body field /name: required (and 1 more)");
      expect(rejected({ body: { name: "n", size: "big" } }).detail).toBe('body field /size: expected integer, got "big"');
    });
  });

  it("matchMediaType: exact, then type/*, then JSON family, then */*", () => {
    expect(matchMediaType(["application/json", "text/*"], "text/csv")).toBe("text/*");
    expect(matchMediaType(["application/json", "*/*"], "application/problem+json")).toBe("application/json");
    expect(matchMediaType(["application/xml", "*/*"], "image/png")).toBe("*/*");
    expect(matchMediaType(["application/xml"], "image/png")).toBeUndefined();
    expect(matchMediaType(["text/plain", "application/json"], undefined)).toBe("application/json");
  });
});

describe("zod helpers", () => {
  const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
  const issues = (schema: z.ZodType, value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
    return result.error.issues;
  };

  it("oneOf: exactly one alternative, whose output is used", () => {
    const schema = rt.oneOf([z.looseObject({ email: z.string(), kind: z.string().default("email") }), z.looseObject({ phone: z.string() })]);
    expect(schema.parse({ email: "a" })).toEqual({ email: "a", kind: "email" });
    expect(schema.parse({ phone: "1" })).toEqual({ phone: "1" });
    expect(issues(schema, { email: "a", phone: "1" })[0]!.message).toBe("Matches 2 alternatives; oneOf requires exactly one");
    expect(issues(schema, { fax: "1" })[0]!.message).toMatch(/^Matches none of the 2 alternatives \(first: email: /);
    expect(ok(rt.oneOf([z.number(), rt.integer()]), 1.5)).toBe(true);
    expect(ok(rt.oneOf([z.number(), rt.integer()]), 2)).toBe(false);
  });

  it("anyOf: at least one alternative", () => {
    const schema = rt.anyOf([z.string().max(2), rt.integer()]);
    expect([ok(schema, "ab"), ok(schema, 3), ok(schema, "abc"), ok(schema, 1.5)]).toEqual([true, true, false, false]);
  });

  it("discriminated: the property picks the alternative and errors come from it", () => {
    const circle = z.looseObject({ kind: z.string(), r: z.number().gt(0) });
    const square = z.looseObject({ kind: z.string(), side: z.number() });
    const schema = rt.discriminated("kind", { circle: () => circle, sq: () => square });
    expect(schema.parse({ kind: "circle", r: 1 })).toEqual({ kind: "circle", r: 1 });
    expect(schema.parse({ kind: "sq", side: 2, r: -1 })).toEqual({ kind: "sq", side: 2, r: -1 });
    expect(issues(schema, { kind: "circle", r: 0 })).toEqual([expect.objectContaining({ path: ["r"] })]);
    expect(issues(schema, { kind: "triangle" })).toEqual([expect.objectContaining({ path: ["kind"], message: 'Expected one of "circle", "sq"' })]);
    expect(issues(schema, { r: 1 })[0]!.path).toEqual(["kind"]);
    expect(issues(schema, "circle")[0]!.message).toBe("Expected an object");
    // Nested: the path is prefixed by the enclosing property.
    expect(issues(z.object({ shape: schema }), { shape: { kind: "sq", side: "x" } })[0]!.path).toEqual(["shape", "side"]);
  });

  it("allOf: every part must accept and object outputs merge, defaults included", () => {
    const schema = rt.allOf([z.looseObject({ w: z.number(), unit: z.string().default("cm") }), z.looseObject({ h: z.number().default(1) })]);
    expect(schema.parse({ w: 2, extra: true })).toEqual({ w: 2, extra: true, unit: "cm", h: 1 });
    expect(issues(schema, { w: "2", h: "x" }).map((i) => i.path)).toEqual([["w"], ["h"]]);
    expect(rt.allOf([z.string().min(2), z.string().max(3)]).safeParse("abcd").success).toBe(false);
  });

  it("allOf: a later part's pass-through of a property keeps an earlier part's defaults inside it, at any depth (test/property)", () => {
    const owner = z.looseObject({ name: z.string().default("anon"), tags: z.array(z.looseObject({ v: z.number().default(0) })).optional() });
    const schema = rt.allOf([z.looseObject({ owner: owner.optional() }), z.looseObject({ id: z.number() })]);
    expect(schema.parse({ id: 1, owner: { tags: [{}, { v: 2 }] } })).toEqual({ id: 1, owner: { name: "anon", tags: [{ v: 0 }, { v: 2 }] } });
    // Both parts declaring it: the later one's output, as before.
    expect(rt.allOf([z.looseObject({ n: z.number().default(1) }), z.looseObject({ n: z.number().default(2) })]).parse({})).toEqual({ n: 2 });
  });

  it("enumOf: any JSON values, by JSON equality", () => {
    const schema = rt.enumOf([1, "two", true, null, { a: [1] }]);
    expect([1, "two", true, null, { a: [1] }].map((v) => ok(schema, v))).toEqual([true, true, true, true, true]);
    expect(["1", 2, false, undefined, { a: [2] }, [1]].map((v) => ok(schema, v))).toEqual([false, false, false, false, false, false]);
    expect(issues(schema, "x")[0]!.message).toBe('Expected one of 1, "two", true, null, {"a":[1]}');
  });

  it("constOf: primitives and structured values", () => {
    expect([ok(rt.constOf(2), 2), ok(rt.constOf(2), "2"), ok(rt.constOf(null), null), ok(rt.constOf(null), 0)]).toEqual([true, false, true, false]);
    expect([ok(rt.constOf({ a: 1 }), { a: 1 }), ok(rt.constOf({ a: 1 }), { a: 2 })]).toEqual([true, false]);
  });

  it("uniqueItems: by JSON equality, independent of key order", () => {
    const schema = rt.uniqueItems(z.array(z.unknown()));
    expect(ok(schema, [1, "1", true, null, [1], { a: 1 }])).toBe(true);
    expect(ok(schema, [1, 2, 1])).toBe(false);
    expect(ok(schema, [{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBe(false);
    expect(issues(schema, [[1], [1]])[0]!.message).toBe("Items must be unique");
  });

  it("multipleOf: decimal factors despite binary fractions", () => {
    const tenth = rt.multipleOf(z.number(), 0.1);
    expect([0, 0.1, 0.3, 0.7, 1.1, 2.3, -0.6, 100.5].map((n) => ok(tenth, n))).toEqual(Array(8).fill(true));
    expect([0.35, 0.01, 1.15].map((n) => ok(tenth, n))).toEqual([false, false, false]);
    expect(issues(tenth, 0.05)[0]!.message).toBe("Expected a multiple of 0.1");
    const three = rt.multipleOf(rt.integer(), 3);
    expect([ok(three, 9), ok(three, 10), ok(three, -3)]).toEqual([true, false, true]);
  });

  it("integer: whole numbers only, within the safe range (beyond it a value may already be rounded)", () => {
    const cases = [3, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, 1.5, "3"];
    expect(cases.map((v) => ok(rt.integer(), v))).toEqual([true, true, true, false, false, false, false]);
    expect(ok(rt.numberFormat(z.number(), "int64"), 2 ** 60)).toBe(false);
  });

  it.each([
    ["date-time", ["2024-05-01T12:30:00Z", "2024-05-01T12:30:00.123+02:00"], ["2024-05-01T12:30:00", "2024-05-01", "yesterday"]],
    ["date", ["2024-02-29", "1999-12-31"], ["2023-02-29", "2024-13-01", "2024-1-1", "2024-05-01T00:00:00Z"]],
    ["time", ["12:30:00Z", "23:59:59.5+02:00", "23:59:60Z"], ["12:30:00", "25:00:00", "12:30:00+2", "noon"]],
    ["uuid", ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "3FA85F64-5717-4562-B3FC-2C963F66AFA6"], ["3fa85f64-5717-4562-b3fc", "3fa85f64571745 62b3fc2c963f66afa6", ""]],
    ["email", ["ada@example.com", "a.b+c@sub.example.org"], ["ada@", "@example.com", "ada example.com"]],
    ["uri", ["https://example.com/a?b=1#c", "urn:isbn:0451450523", "mailto:ada@example.com"], ["/relative/path", "example.com", "not a uri"]],
    ["hostname", ["example.com", "a-b.example"], ["-bad.com", "a_b.com"]],
    ["ipv4", ["127.0.0.1"], ["256.0.0.1", "::1"]],
    ["ipv6", ["::1", "2001:db8::1"], ["127.0.0.1"]],
    ["byte", ["aGVsbG8=", ""], ["aGVsbG8", "not base64!"]],
    ["int32-or-unknown", ["anything at all"], []],
  ] as [string, string[], string[]][])("stringFormat(%s)", (format, valid, invalid) => {
    const schema = rt.stringFormat(format);
    expect(valid.filter((v) => !ok(schema, v))).toEqual([]);
    expect(invalid.filter((v) => ok(schema, v))).toEqual([]);
    expect(ok(schema, 5)).toBe(false);
  });

  it("not, propertyCount and byType", () => {
    expect([ok(rt.not(z.string()), 1), ok(rt.not(z.string()), "a")]).toEqual([true, false]);
    const counted = rt.propertyCount(z.looseObject({}), 1, 2);
    expect([ok(counted, {}), ok(counted, { a: 1 }), ok(counted, { a: 1, b: 2, c: 3 })]).toEqual([false, true, false]);
    // Untyped keywords constrain values of their type only, and report that type's own errors.
    const typed = rt.byType({ number: z.number().gte(2), object: z.looseObject({ done: z.unknown() }) });
    expect([ok(typed, 1), ok(typed, 2.5), ok(typed, "1"), ok(typed, null), ok(typed, {}), ok(typed, { done: 0 })]).toEqual([false, true, true, true, false, true]);
    expect(typed.safeParse({}).error!.issues).toEqual([expect.objectContaining({ path: ["done"], code: "invalid_type" })]);
  });
});

describe("generator: value shapes", () => {
  it("infers coercion types from const and enum when there is no type", () => {
    expect(valueShape({}, { const: 2 })).toEqual({ types: ["integer"] });
    expect(valueShape({}, { const: "v2" })).toEqual({ types: ["string"] });
    expect(valueShape({}, { enum: [1, "a", null] })).toEqual({ types: ["string", "integer", "null"] });
    expect(valueShape({}, { type: ["integer", "null"] })).toEqual({ types: ["integer", "null"] });
    expect(valueShape({}, { type: "integer", nullable: true })).toEqual({ types: ["integer", "null"] });
    const doc = { components: { schemas: { P: { type: "object", properties: { x: { type: "integer" } } } } } };
    expect(valueShape(doc, { $ref: "#/components/schemas/P" })).toEqual({ types: ["object"], props: { x: { types: ["integer"] } } });
  });
});

describe("generator: OpenAPI 3.0 dialect (fixtures/nullable-30.yaml)", () => {
  const tmpRoot = path.join(import.meta.dirname, ".tmp");
  mkdirSync(tmpRoot, { recursive: true });
  const tmp = mkdtempSync(path.join(tmpRoot, "decode-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  async function generateInto(spec: string, dir: string) {
    const model = buildModel(await loadSpec(spec));
    const { files } = await emitFiles(model);
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(path.join(dir, f.name), f.content);
    const text = (name: string) => files.find((f) => f.name === name)!.content;
    return { model, schemas: text("schemas.ts"), operations: text("operations.ts") };
  }

  it("emits .nullable(), boolean exclusive bounds and the discriminator", async () => {
    const { model, schemas, operations } = await generateInto(path.join(import.meta.dirname, "..", "fixtures", "nullable-30.yaml"), path.join(tmp, "v30"));
    expect(model.openapiVersion).toBe("3.0.3");
    expect(schemas).toContain("name: z.string().nullable()");
    expect(schemas).toContain('nickname: rt.enumOf(["rex", "fido", null]).nullable().optional()');
    expect(schemas).toContain("lives: rt.integer().gt(0).lte(9).optional()");
    expect(schemas).toContain("weight: z.number().gt(0).lt(100)");
    expect(schemas).toMatch(/rt\.discriminated\("petType", \{\s*cat: \(\) => CatSchema,\s*dog: \(\) => DogSchema,?\s*\}\)/);
    expect(operations).toContain("rt.integer().gt(0).nullable().optional()");
    // The parameter's row (rt.ParamRow): name, in, style, explode, shape, schema.
    expect(operations).toMatch(/"minAge",\s*"query",\s*"form",\s*true,\s*\{ types: \["integer", "null"\] \},/);
  });

  it("the emitted 3.0 schemas validate as the spec says", async () => {
    const dir = path.join(tmp, "v30");
    const schemas = (await import(pathToFileURL(path.join(dir, "schemas.ts")).href)) as Record<string, z.ZodType>;
    const { operationTable } = (await import(pathToFileURL(path.join(dir, "operations.ts")).href)) as { operationTable: OperationSpec[] };
    const pet = schemas.PetSchema!;
    expect(pet.safeParse({ petType: "cat", name: null }).success).toBe(true);
    expect(pet.safeParse({ petType: "cat", name: null, lives: 0 }).success).toBe(false); // exclusiveMinimum: true
    expect(pet.safeParse({ petType: "cat" }).success).toBe(false); // nullable is not optional
    expect(pet.safeParse({ petType: "dog", weight: 100 }).success).toBe(false); // exclusiveMaximum: true
    expect(pet.safeParse({ petType: "dog", weight: 99.5, nickname: null }).success).toBe(true);
    expect(pet.safeParse({ petType: "dog", weight: 1, nickname: "spot" }).success).toBe(false);
    expect(pet.safeParse({ petType: "bird" }).success).toBe(false);

    const op = prepareOperation(operationTable[0]!);
    const withQuery = (query_params: Record<string, string>) =>
      decodeRequest(op, request({ method: "POST", query_params, headers: { "content-type": "application/json" }, body: { petType: "cat", name: "Tom" } }));
    expect(withQuery({ minAge: "null" }).query).toEqual({ minAge: null });
    expect(withQuery({ minAge: "1" }).query).toEqual({ minAge: 1 });
    expect(decodeError(() => withQuery({ minAge: "0" })).errors).toEqual([expect.objectContaining({ in: "query", name: "minAge" })]);
  });

  it("a 3.1 document uses type arrays for null and numeric exclusive bounds", async () => {
    const spec = path.join(tmp, "nullable-31.yaml");
    writeFileSync(
      spec,
      [
        "openapi: 3.1.0",
        "info: { title: N31, version: '1.0' }",
        "paths: {}",
        "components:",
        "  schemas:",
        "    B: { type: [string, 'null'], exclusiveMinimum: 3 }",
        "    C: { type: integer, exclusiveMinimum: 3 }",
      ].join("\n"),
    );
    const { schemas } = await generateInto(spec, path.join(tmp, "v31"));
    expect(schemas).toContain('BSchema: z.ZodType<components["schemas"]["B"]> = rt.lazy(() =>\n  z.union([z.string(), z.null()]),\n);');
    expect(schemas).toContain('CSchema: z.ZodType<components["schemas"]["C"]> = rt.lazy(() => rt.integer().gt(3));');
  });
});

describe("Object.prototype member names (any name is a name)", () => {
  const NAMES = PROTOTYPE_MEMBER_NAMES;
  const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
  /** The map has exactly these own keys and values; every other name reads as undefined. */
  const expectExactly = (map: Record<string, unknown>, expected: Record<string, unknown>) => {
    for (const name of NAMES) expect(map[name], name).toEqual(Object.hasOwn(expected, name) ? expected[name] : undefined);
    expect(Object.fromEntries(Object.entries(map))).toEqual(expected);
  };
  const each = (value: (name: string, i: number) => string) => Object.fromEntries(NAMES.map((n, i) => [n, value(n, i)]));

  it("parseCookies: every name is an own key; none sent, none read", () => {
    expectExactly(
      parseCookies(NAMES.map((n, i) => `${n}=v${i}`).join("; ")),
      each((_n, i) => `v${i}`),
    );
    expectExactly(parseCookies("other=1"), { other: "1" });
    expectExactly(parseCookies(undefined), {});
  });

  it.each(["path", "query", "header", "cookie"] as const)("readParam (%s): an absent name is undefined, a sent one exact, in a plain envelope too", (where) => {
    for (const name of NAMES) {
      const spec = { name, in: where, style: where === "query" || where === "cookie" ? "form" : "simple" };
      expect(read(spec, {}), `${where} ${name}`).toBeUndefined();
      const part: Partial<RestRequest> =
        where === "path"
          ? { path_params: { [name]: "x" } }
          : where === "query"
            ? { query_params: { [name]: "x" } }
            : where === "header"
              ? { headers: { [name.toLowerCase()]: "x" } }
              : { headers: { cookie: `${name}=x` } };
      expect(read(spec, part), `${where} ${name}`).toBe("x");
    }
  });

  it("deepObject, exploded form objects and key,value pairs: members of every name, `__proto__` an own key", () => {
    const shape: ValueShape = { types: ["object"], props: Object.fromEntries(NAMES.map((n) => [n, INT])) };
    const deep = read(
      { name: "o", in: "query", style: "deepObject", explode: true, shape },
      { query_params: Object.fromEntries(NAMES.map((n, i) => [`o[${n}]`, String(i)])) },
    );
    expectExactly(deep as Record<string, unknown>, Object.fromEntries(NAMES.map((n, i) => [n, i])));
    const form = read({ name: "o", in: "query", style: "form", explode: true, shape }, { query_params: { __proto__: "1", valueOf: "2" } as never });
    expectExactly(form as Record<string, unknown>, { valueOf: 2 });
    const own = read({ name: "o", in: "query", style: "form", explode: true, shape }, { query_params: JSON.parse('{"__proto__":"1","valueOf":"2"}') });
    expectExactly(own as Record<string, unknown>, { ["__proto__"]: 1, valueOf: 2 });
    const pairs = read({ name: "o", in: "header", style: "simple", shape: { types: ["object"] } }, { headers: { o: "__proto__,a,toString,b" } });
    expectExactly(pairs as Record<string, unknown>, { ["__proto__"]: "a", toString: "b" });
    const assignments = read(
      { name: "o", in: "path", style: "simple", explode: true, shape: { types: ["object"] } },
      { path_params: { o: "__proto__=a,constructor=b" } },
    );
    expectExactly(assignments as Record<string, unknown>, { ["__proto__"]: "a", constructor: "b" });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  });

  it("form and multipart fields of every name are own keys, repeated ones lists", () => {
    const form = parseFormUrlEncoded(NAMES.map((n, i) => `${encodeURIComponent(n)}=${i}`).join("&") + "&toString=again");
    expectExactly(form, { ...each((_n, i) => String(i)), toString: ["1", "again"] });
    expectExactly(parseFormUrlEncoded("a=1"), { a: "1" });
    const bytes = buildMultipart(JSON.parse('{"__proto__":"p","constructor":"c","file":"f"}'), "b");
    expectExactly(multipartFields(parseMultipart(bytes, "b")), { ["__proto__"]: "p", constructor: "c", file: "f" });
  });

  it("parseRestRequest: envelope maps of any name, in any case, read by own keys only", () => {
    const text = JSON.stringify({
      headers: { __PROTO__: "p", Constructor: "c" },
      query_params: JSON.parse('{"__proto__":"q"}'),
      path_params: { toString: "t" },
    });
    const parsed = parseRestRequest(text);
    // Header names are lower-cased into a map that inherits nothing; the other maps are JSON.parse's own keys (readers look up own keys).
    expectExactly(parsed.headers, { ["__proto__"]: "p", constructor: "c" });
    expect(Object.entries(parsed.query_params)).toEqual([["__proto__", "q"]]);
    expect(Object.entries(parsed.path_params)).toEqual([["toString", "t"]]);
    // A caller's object is copied, `__proto__` kept as a key.
    const copied = parseRestRequest({ headers: JSON.parse('{"__proto__":"p"}'), query_params: {}, path_params: {} });
    expect(Object.entries(copied.headers)).toEqual([["__proto__", "p"]]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  });

  it("decodeRequest: a JSON body's optional names absent are absent (not inherited), at any depth", () => {
    const optional = Object.fromEntries(NAMES.map((n) => [n, z.string().optional()]));
    const op = prepareOperation({
      handler: "h",
      endpoint: "h",
      method: "POST",
      path: "/",
      params: [],
      body: {
        required: true,
        content: { "application/json": () => rt.protoProperty(z.looseObject({ ...optional, inner: rt.protoProperty(z.looseObject(optional)).optional() })) },
      },
      responses: { "200": "application/json" },
    });
    const decode = (body: unknown) =>
      decodeRequest(op, request({ method: "POST", headers: { "content-type": "application/json" }, body })).body as Record<string, any>;
    expectExactly(decode({}), {});
    const got = decode(JSON.parse('{"inner":{"__proto__":"p","toString":"t"},"valueOf":"v"}'));
    expectExactly(got, { inner: got.inner, valueOf: "v" });
    expectExactly(got.inner, { ["__proto__"]: "p", toString: "t" });
    const wrong = decodeError(() => decode(JSON.parse('{"inner":{"__proto__":1}}')));
    expect(wrong.errors).toEqual([{ in: "body", pointer: "/inner/__proto__", message: "expected string, got 1" }]);
  });

  it("rt.protoProperty: a required `__proto__` missing is an issue at its path; a default fills it as an own key", () => {
    const required = rt.protoProperty(z.looseObject({ ["__proto__"]: z.string(), a: z.string() }));
    expect(required.safeParse({ a: "x" }).error?.issues.map((i) => i.path)).toEqual([["__proto__"]]);
    const defaulted = rt.protoProperty(z.strictObject({ ["__proto__"]: z.number().default(3) })).parse({}) as object;
    expect(Object.getOwnPropertyDescriptor(defaulted, "__proto__")?.value).toBe(3);
    expect(Object.getPrototypeOf(defaulted)).toBe(Object.prototype);
    expect(required.safeParse("no").success).toBe(false);
  });

  it("generator: coercion shapes and literals keep a `__proto__` property as an own key", () => {
    const shape = valueShape({}, { type: "object", properties: JSON.parse('{"__proto__":{"type":"integer"},"constructor":{"type":"boolean"}}') });
    expect(Object.keys(shape.props!)).toEqual(["__proto__", "constructor"]);
    const literal = valueLiteral(JSON.parse('{"__proto__":{"__proto__":[1,{"toString":"x"}]},"a b":null}'));
    expect(literal).toBe('{ ["__proto__"]: { ["__proto__"]: [1, { toString: "x" }] }, "a b": null }');
    const value = new Function(`return ${literal}`)() as object;
    expect(JSON.stringify(value)).toBe('{"__proto__":{"__proto__":[1,{"toString":"x"}]},"a b":null}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});
