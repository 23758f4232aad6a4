/**
 * The features example (examples/features) served over a real nats-server and called
 * with REST envelopes: every parameter style with the exact wire strings OpenAPI
 * defines, every schema keyword accepted and rejected, defaults, and every kind of
 * response status and content type, all through the wrapped reply.
 */
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { operationTable, register } from "../examples/features/src/generated/index.js";
import { createFeatures } from "../examples/features/src/handlers.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let server: NatsServer;
let nc: NatsConnection;
let ext: Extension;
let running: Promise<void>;

interface Envelope {
  method?: string;
  path?: string;
  path_params?: Record<string, string>;
  query_params?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: unknown;
  body_encoding?: string;
}

interface Reply {
  body: any;
  statuscode: number;
  contenttype: string;
  headers?: Record<string, string>;
}

/** Sends an envelope to an endpoint; its method defaults to the endpoint's operation's (a different one is a 405). */
async function call(endpoint: string, envelope: Envelope): Promise<Reply> {
  const method = operationTable.find((op) => op.endpoint === endpoint)?.method ?? "GET";
  const payload = JSON.stringify({ method, path: "/", url: envelope.path ?? "/", headers: {}, path_params: {}, query_params: {}, ...envelope });
  const msg = await nc.request(`cirata.extensions.features.${endpoint}`, new TextEncoder().encode(payload), { timeout: 5000 });
  return JSON.parse(new TextDecoder().decode(msg.data)) as Reply;
}

/** Expects a 400 problem whose errors name exactly one field, and returns that error. */
function expectRejected(res: Reply, where: { in: string; name?: string; pointer?: string }) {
  expect(res.statuscode).toBe(400);
  expect(res.contenttype).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status: 400, title: "Bad Request", type: "urn:symphony:problem:invalid-request" });
  expect(res.body.errors).toEqual([expect.objectContaining(where)]);
  expect(typeof res.body.errors[0].message).toBe("string");
  return res.body.errors[0] as { in: string; name?: string; pointer?: string; message: string };
}

const UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  ext = new Extension("Features", "features").withNatsUrl(server.url);
  let ready!: () => void;
  const registered = new Promise<void>((r) => (ready = r));
  running = ext.runWithSetup(async (e) => {
    await register(e, createFeatures());
    ready();
  });
  await registered;
});

afterAll(async () => {
  ext?.stop();
  await running;
  await nc?.close();
  await server?.stop();
});

describe("path parameters", () => {
  const simple = { n: "3", arr: "3,4,5", obj: "x,1,y,2", objX: "x=1,y=2" };
  const label = { n: ".5", arr: ".3,4,5", arrX: ".3.4.5", obj: ".x,1,y,2", objX: ".x=1.y=2" };
  const matrix = { single: `;single=${UUID}`, id: ";id=3;id=4", ids: ";ids=3,4,5", point: ";point=x,1,y,2", pointX: ";x=1;y=2" };

  it("style simple: primitive, array, object (explode false and true)", async () => {
    const res = await call("simpleStyles", { path: "/styles/simple/3/3,4,5/x,1,y,2/x=1,y=2", path_params: simple });
    expect(res.statuscode).toBe(200);
    expect(res.contenttype).toBe("application/json");
    expect(res.body).toEqual({ path: { n: 3, arr: [3, 4, 5], obj: { x: 1, y: 2 }, objX: { x: 1, y: 2 } } });
  });

  it("style label: .5  .3,4,5  .3.4.5  .x,1,y,2  .x=1.y=2", async () => {
    const res = await call("labelStyles", { path_params: label });
    expect(res.statuscode).toBe(200);
    expect(res.body).toEqual({ path: { n: 5, arr: [3, 4, 5], arrX: [3, 4, 5], obj: { x: 1, y: 2 }, objX: { x: 1, y: 2 } } });
  });

  it("style matrix: ;single=…  ;id=3;id=4  ;ids=3,4,5  ;point=x,1,y,2  ;x=1;y=2", async () => {
    const res = await call("matrixStyles", { path_params: matrix });
    expect(res.statuscode).toBe(200);
    expect(res.body).toEqual({ path: { single: UUID, id: [3, 4], ids: [3, 4, 5], point: { x: 1, y: 2 }, pointX: { x: 1, y: 2 } } });
  });

  it.each([
    ["simpleStyles", { ...simple, n: "11" }, "n"], // maximum
    ["simpleStyles", { ...simple, n: "2.5" }, "n"], // integer
    ["simpleStyles", { ...simple, arr: "3" }, "arr"], // minItems
    ["simpleStyles", { ...simple, arr: "1,2,3,4,5" }, "arr"], // maxItems
    ["simpleStyles", { ...simple, arr: "1,x" }, "arr.1"], // item type
    ["simpleStyles", { ...simple, obj: "x,1" }, "obj.y"], // required member
    ["simpleStyles", { ...simple, objX: "x=1,y=b" }, "objX.y"],
    ["labelStyles", { ...label, arrX: ".3.x" }, "arrX.1"],
    ["labelStyles", { ...label, n: ".five" }, "n"],
    ["matrixStyles", { ...matrix, single: ";single=not-a-uuid" }, "single"], // format uuid
    ["matrixStyles", { ...matrix, id: ";id=3;id=z" }, "id.1"],
    ["matrixStyles", { ...matrix, pointX: ";x=1" }, "pointX.y"],
  ])("%s rejects %j naming %s", async (endpoint, path_params, name) => {
    expectRejected(await call(endpoint, { path_params }), { in: "path", name });
  });

  it("a missing path parameter is named", async () => {
    const { n: _n, ...rest } = simple;
    const err = expectRejected(await call("simpleStyles", { path_params: rest }), { in: "path", name: "n" });
    expect(err.message).toBe("required");
  });
});

describe("query parameters", () => {
  it("decodes every style and applies defaults", async () => {
    const res = await call("queryStyles", {
      path: "/styles/query",
      query_params: {
        formArr: ["1", "2"], // form, explode: formArr=1&formArr=2
        formCsv: "a,b,c", // form, no explode
        lat: "1.5", // exploded form object: its properties spread over the query
        lng: "-2",
        formObj: "color,red,size,10",
        "filter[color]": "red", // deepObject
        "filter[minPrice]": "2.5",
        spaced: "a b c", // spaceDelimited (a%20b%20c on the wire)
        piped: "1|2|3", // pipeDelimited
        rgb: "R|100|G|200", // pipeDelimited object
        version: "2", // const
        verbose: "true",
        maybe: "null",
        since: "2024-02-29",
      },
    });
    expect(res.statuscode).toBe(200);
    expect(res.body.query).toEqual({
      formArr: [1, 2],
      formCsv: ["a", "b", "c"],
      coords: { lat: 1.5, lng: -2 },
      formObj: { color: "red", size: 10 },
      filter: { color: "red", minPrice: 2.5 },
      spaced: ["a", "b", "c"],
      piped: [1, 2, 3],
      rgb: { R: 100, G: 200 },
      version: 2,
      limit: 10,
      order: "asc",
      verbose: true,
      maybe: null,
      since: "2024-02-29",
    });
  });

  it("applies only the defaults of absent parameters", async () => {
    const res = await call("queryStyles", { query_params: { limit: "50", order: "desc" } });
    expect(res.body.query).toEqual({ limit: 50, order: "desc" });
    const none = await call("queryStyles", {});
    expect(none.body.query).toEqual({ limit: 10, order: "asc" });
  });

  it("takes one value of an exploded form array as a one-item array, and an integer for a nullable integer", async () => {
    const res = await call("queryStyles", { query_params: { formArr: "7", maybe: "42", verbose: "false", piped: "5" } });
    expect(res.body.query).toMatchObject({ formArr: [7], maybe: 42, verbose: false, piped: [5] });
  });

  it.each([
    [{ formArr: ["1", "1"] }, "formArr"], // uniqueItems
    [{ formArr: ["1", "2", "3", "4", "5"] }, "formArr"], // maxItems
    [{ formArr: ["1", "x"] }, "formArr.1"],
    [{ lat: "91" }, "coords.lat"], // maximum on an exploded object member
    [{ formObj: "color,red,size,big" }, "formObj.size"],
    [{ "filter[color]": "purple" }, "filter.color"], // enum
    [{ "filter[minPrice]": "-1" }, "filter.minPrice"], // minimum
    [{ "filter[shape]": "round" }, "filter.shape"], // additionalProperties: false
    [{ piped: "1|x|3" }, "piped.1"],
    [{ rgb: "R|100|G|256" }, "rgb.G"],
    [{ version: "3" }, "version"], // const
    [{ limit: "0" }, "limit"],
    [{ limit: "51" }, "limit"],
    [{ limit: "ten" }, "limit"],
    [{ limit: ["1", "2"] }, "limit"], // a scalar repeated
    [{ order: "sideways" }, "order"],
    [{ verbose: "yes" }, "verbose"],
    [{ maybe: "maybe" }, "maybe"],
    [{ since: "2024-13-01" }, "since"], // format date
  ])("rejects %j naming %s", async (query_params, name) => {
    expectRejected(await call("queryStyles", { query_params }), { in: "query", name });
  });

  it("reports every offending parameter at once", async () => {
    const res = await call("queryStyles", { query_params: { limit: "0", order: "up" } });
    expect(res.statuscode).toBe(400);
    expect(res.body.errors.map((e: { name: string }) => e.name)).toEqual(["limit", "order"]);
    expect(res.body.detail).toContain("(and 1 more)");
  });
});

describe("header and cookie parameters", () => {
  const headers = {
    "x-count": "3",
    "x-ids": "1,2,3",
    "x-point": "x,1,y,2",
    "x-point-x": "x=1,y=2",
    "x-trace": UUID,
    cookie: "session=abcdefgh1; prefs=a,b; cfg=theme,dark,size,12; debug=true",
  };

  it("decodes simple headers and form cookies", async () => {
    const res = await call("headerStyles", { headers });
    expect(res.statuscode).toBe(200);
    expect(res.body).toEqual({
      headers: { "X-Count": 3, "X-Ids": [1, 2, 3], "X-Point": { x: 1, y: 2 }, "X-Point-X": { x: 1, y: 2 }, "X-Trace": UUID },
      cookies: { session: "abcdefgh1", prefs: ["a", "b"], cfg: { theme: "dark", size: 12 }, debug: true },
    });
  });

  it("reads headers whatever the case the envelope used", async () => {
    const res = await call("headerStyles", { headers: { "X-COUNT": "0" } });
    expect(res.statuscode).toBe(200);
    expect(res.body).toEqual({ headers: { "X-Count": 0 }, cookies: {} });
  });

  it("names a missing required header", async () => {
    const err = expectRejected(await call("headerStyles", { headers: {} }), { in: "header", name: "X-Count" });
    expect(err.message).toBe("required");
  });

  it.each([
    [{ "x-count": "-1" }, "header", "X-Count"],
    [{ "x-ids": "1,two" }, "header", "X-Ids.1"],
    [{ "x-point": "x,1,y,z" }, "header", "X-Point.y"],
    [{ "x-trace": "not-a-uuid" }, "header", "X-Trace"],
    [{ cookie: "session=short" }, "cookie", "session"], // minLength
    [{ cookie: "cfg=theme,dark,size,xl" }, "cookie", "cfg.size"],
    [{ cookie: "debug=maybe" }, "cookie", "debug"],
  ])("rejects %j naming %s %s", async (extra, location, name) => {
    expectRejected(await call("headerStyles", { headers: { "x-count": "1", ...extra } }), { in: location, name });
  });
});

describe("request bodies", () => {
  const minimal = { name: "gear", kind: "gadget", price: 9.99 };
  const full = {
    name: "gear-2",
    kind: "gizmo",
    level: "two",
    schemaVersion: 2,
    price: 1000,
    quantity: 99,
    ratio: 0.3,
    status: "live",
    tags: ["a", "b", "c"],
    email: "ada@example.com",
    homepage: "https://example.com/widgets?x=1",
    createdAt: "2024-05-01T12:30:00+02:00",
    releaseDate: "2024-06-01",
    note: null,
    attributes: { weight: 3, teeth: 12 },
    dimensions: { width: 1.5, height: 2, unit: "in" },
    contact: { phone: "+4412345678" },
    label: 7,
  };
  const post = (body: unknown) => call("createWidget", { method: "POST", path: "/widgets", headers: { "content-type": "application/json" }, body });

  it("applies body defaults, including inside allOf parts, and answers 201 with a Location header", async () => {
    const res = await post({ ...minimal, dimensions: { width: 1, height: 2 } });
    expect(res.statuscode).toBe(201);
    expect(res.contenttype).toBe("application/json");
    expect(res.body).toEqual({ ...minimal, quantity: 1, status: "draft", dimensions: { width: 1, height: 2, unit: "cm" }, id: expect.stringMatching(/^00000000-0000-4000-8000-\d{12}$/) });
    expect(res.headers).toEqual({ Location: `/widgets/${res.body.id}` });
  });

  it("accepts a body using every keyword at its limits", async () => {
    const res = await post(full);
    expect(res.statuscode).toBe(201);
    expect(res.body).toEqual({ ...full, id: expect.any(String) });
  });

  it.each([
    ["level", 1],
    ["level", true],
    ["level", null],
    ["label", "short"],
    ["contact", { email: "a@b.co", extra: 1 }],
    ["note", "0123456789"],
    ["ratio", 1],
    ["price", 0.01],
    ["quantity", 0],
  ])("accepts %s = %j", async (key, value) => {
    const res = await post({ ...minimal, [key]: value });
    expect(res.statuscode).toBe(201);
    expect(res.body[key]).toEqual(value);
  });

  it.each([
    ["/name", { name: "ab" }], // minLength
    ["/name", { name: "a".repeat(21) }], // maxLength
    ["/name", { name: "Bad_Name" }], // pattern
    ["/kind", { kind: "doohickey" }], // string enum
    ["/level", { level: "three" }], // mixed enum
    ["/level", { level: 2 }],
    ["/schemaVersion", { schemaVersion: 3 }], // const
    ["/price", { price: 0 }], // exclusiveMinimum
    ["/price", { price: 1000.5 }], // maximum
    ["/price", { price: "9.99" }], // no coercion in JSON bodies
    ["/quantity", { quantity: 100 }], // exclusiveMaximum
    ["/quantity", { quantity: -1 }], // minimum
    ["/quantity", { quantity: 1.5 }], // integer
    ["/ratio", { ratio: 0.35 }], // multipleOf 0.1
    ["/tags", { tags: [] }], // minItems
    ["/tags", { tags: ["a", "b", "c", "d"] }], // maxItems
    ["/tags", { tags: ["a", "a"] }], // uniqueItems
    ["/tags/1", { tags: ["a", 2] }],
    ["/id", { id: "not-a-uuid" }],
    ["/email", { email: "not-an-email" }],
    ["/homepage", { homepage: "not a uri" }],
    ["/createdAt", { createdAt: "2024-05-01" }], // date-time
    ["/releaseDate", { releaseDate: "2024-06-01T00:00:00Z" }], // date
    ["/note", { note: "01234567890" }], // maxLength of a nullable string
    ["/note", { note: 5 }],
    ["/attributes/teeth", { attributes: { teeth: 1.5 } }], // additionalProperties schema
    ["/dimensions/width", { dimensions: { width: -1, height: 1 } }], // allOf part
    ["/dimensions/height", { dimensions: { width: 1 } }],
    ["/dimensions/unit", { dimensions: { width: 1, height: 1, unit: "mm" } }],
    ["/contact", { contact: { email: "a@b.co", phone: "+4412345678" } }], // oneOf: both match
    ["/contact", { contact: { fax: "123" } }], // oneOf: none match
    ["/label", { label: "toolong" }], // anyOf: none match
  ])("rejects body pointer %s for %j", async (pointer, change) => {
    const err = expectRejected(await post({ ...minimal, ...change }), { in: "body", pointer });
    expect(err.name).toBeUndefined();
  });

  it("names a missing required property and an unknown one (additionalProperties: false)", async () => {
    const missing = await post({ name: "gear", kind: "gadget" });
    expect(expectRejected(missing, { in: "body", pointer: "/price" }).message).toBe("required");
    expect(missing.body.detail).toBe("body field /price: required");
    const unknown = await post({ ...minimal, colour: "red" });
    const err = expectRejected(unknown, { in: "body", pointer: "/colour" });
    expect(err.message).toContain("colour");
  });

  it("explains a oneOf that matched more than one alternative", async () => {
    const res = await post({ ...minimal, contact: { email: "a@b.co", phone: "+4412345678" } });
    expect(res.body.errors[0].message).toMatch(/Matches 2 alternatives/);
  });

  it("discriminator with mapping: picks the alternative by the property value", async () => {
    const shape = (body: unknown) => call("measureShape", { method: "POST", path: "/shapes", body });
    const circle = await shape({ kind: "circle", radius: 2 });
    expect(circle.statuscode).toBe(200);
    expect(circle.body).toEqual({ shape: { kind: "circle", radius: 2 }, area: Math.PI * 4 });
    const square = await shape({ kind: "sq", side: 3 });
    expect(square.body).toEqual({ shape: { kind: "sq", side: 3 }, area: 9 });

    // Errors speak about the picked alternative.
    expectRejected(await shape({ kind: "sq", radius: 2 }), { in: "body", pointer: "/side" });
    expectRejected(await shape({ kind: "circle", radius: 0 }), { in: "body", pointer: "/radius" });
    // Only mapped values pick an alternative: the schema name itself is not a mapped value.
    const unknown = expectRejected(await shape({ kind: "Square", side: 3 }), { in: "body", pointer: "/kind" });
    expect(unknown.message).toBe('Expected one of "circle", "sq", got "Square"');
    expectRejected(await shape([1]), { in: "body", pointer: "" });
  });

  it("recursive schema: validates every level and names the deep pointer", async () => {
    const tree = { value: 1, children: [{ value: 2, children: [{ value: 3 }, { value: 4, children: [] }] }, { value: 5 }] };
    const res = await call("sumTree", { method: "POST", path: "/trees", body: tree });
    expect(res.statuscode).toBe(200);
    expect(res.body).toEqual({ sum: 15, tree });

    const bad = { value: 1, children: [{ value: 2, children: [{ value: 3 }, { value: "four" }] }] };
    expectRejected(await call("sumTree", { body: bad }), { in: "body", pointer: "/children/0/children/1/value" });
    const wide = { value: 1, children: [{ value: 2, children: [{ value: 1 }, { value: 2 }, { value: 3 }, { value: 4 }] }] };
    expectRejected(await call("sumTree", { body: wide }), { in: "body", pointer: "/children/0/children" });
    // 2^53 + 1 arrives as 2^53 once JSON is parsed: integers beyond the safe range are refused, never rounded.
    const huge = await call("sumTree", { body: { value: 1, children: [{ value: Number.MAX_SAFE_INTEGER + 2 }] } });
    expect(expectRejected(huge, { in: "body", pointer: "/children/0/value" }).message).toMatch(/^Integer beyond ±9007199254740991 cannot be received exactly/);
    expect((await call("sumTree", { body: { value: Number.MAX_SAFE_INTEGER } })).statuscode).toBe(200);
  });

  it("rejects a missing body, a body that is not JSON, and an unsupported content type", async () => {
    const missing = expectRejected(await call("createWidget", { method: "POST" }), { in: "body", pointer: "" });
    expect(missing.message).toBe("required");
    const notJson = await call("createWidget", { headers: { "content-type": "application/json" }, body: Buffer.from("{nope").toString("base64"), body_encoding: "base64" });
    expect(expectRejected(notJson, { in: "body", pointer: "" }).message).toMatch(/^Body is not valid JSON/);
    // A string is the body's JSON value (decoded once), so it fails the object schema.
    expect(expectRejected(await call("createWidget", { headers: { "content-type": "application/json" }, body: '{"name":"w"}' }), { in: "body", pointer: "" }).message).toMatch(/expected object/);
    const xml = await call("createWidget", { headers: { "content-type": "application/xml" }, body: "<widget/>" });
    expect(xml.statuscode).toBe(415);
    expect(xml.contenttype).toBe("application/problem+json");
    expect(xml.body.errors).toEqual([expect.objectContaining({ in: "header", name: "content-type" })]);
  });
});

describe("responses", () => {
  it("204 No Content carries no body", async () => {
    const res = await call("deleteWidget", { method: "DELETE", path_params: { id: UUID } });
    expect(res.statuscode).toBe(204);
    expect(res.body).toBeNull();
    expect(res.headers).toBeUndefined();
  });

  it("a 4XX range response takes the range's content type", async () => {
    const res = await call("deleteWidget", { method: "DELETE", path_params: { id: "00000000-0000-0000-0000-000000000000" } });
    expect(res).toEqual({
      statuscode: 404,
      contenttype: "application/json",
      body: { title: "Not Found", status: 404, detail: "no widget 00000000-0000-0000-0000-000000000000" },
    });
    const conflict = await call("createWidget", { body: { name: "taken", kind: "gadget", price: 1 } });
    expect(conflict).toMatchObject({ statuscode: 409, contenttype: "application/json", body: { title: "Conflict", status: 409 } });
  });

  it("a status only `default` covers", async () => {
    const res = await call("createWidget", { body: { name: "broken", kind: "gadget", price: 1 } });
    expect(res).toEqual({ statuscode: 503, contenttype: "application/json", body: { code: 503, message: "widget store unavailable" } });
  });

  it("a text/plain response, with its query default applied", async () => {
    const res = await call("greet", { path: "/greeting" });
    expect(res).toEqual({ statuscode: 200, contenttype: "text/plain", body: "Hello, world!" });
    const named = await call("greet", { query_params: { name: "Ada" } });
    expect(named.body).toBe("Hello, Ada!");
    expectRejected(await call("greet", { query_params: { name: "" } }), { in: "query", name: "name" });
  });

  it("registers one endpoint per operation, with the spec in the service metadata", async () => {
    const msg = await nc.request("$SRV.INFO.Features", undefined, { timeout: 2000 });
    const info = JSON.parse(new TextDecoder().decode(msg.data));
    expect(info.version).toBe("1.2.0");
    expect(JSON.parse(info.metadata.openapi).openapi).toBe("3.1.0");
    expect(info.endpoints.map((e: { name: string }) => e.name).sort()).toEqual(
      ["createWidget", "deleteWidget", "greet", "headerStyles", "labelStyles", "matrixStyles", "measureShape", "queryStyles", "simpleStyles", "sumTree"],
    );
  });
});
