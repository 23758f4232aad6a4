/**
 * Any name is a name (fixtures/prototype-names.yaml): every Object.prototype member name as a path,
 * query, header and cookie parameter (optional and required), as a deepObject and an exploded form
 * object's member, as a JSON body property (optional, required, nested), as a form and multipart
 * field and as a response property; and a default, enum and const holding a `__proto__` key.
 * Generated, compiled under tsc --strict with typed handlers (fixtures/prototype-names-handlers.ts),
 * served over a real nats-server and called with envelopes: an omitted name is absent (never an
 * inherited member), a sent one arrives exactly, `__proto__` is an own key, and Object.prototype is untouched.
 */
import { copyFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildMultipart, Extension, toBase64 } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { UNCHECKED } from "../generator/write.js";
import { Extensions, shutDown } from "./helpers/extension.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { PROTOTYPE_MEMBER_NAMES } from "./helpers/prototype-names.js";
import { ROOT } from "./helpers/specs.js";
import { typeCheck } from "./helpers/tsc.js";

const NAMES = PROTOTYPE_MEMBER_NAMES;

const OUT = path.join(ROOT, "test/.tmp/prototype-names");
const GENERATED = path.join(OUT, "generated");
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

type Req = {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  body: any;
};
interface Reply {
  body: any;
  statuscode: number;
  contenttype: string;
}

let server: NatsServer;
let nc: NatsConnection;
const extensions = new Extensions();
let ext: Extension;
const seen = new Map<string, unknown>();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let gen: any;

/** `{ name: value(name) }` for every name, `__proto__` as an own key. */
const every = <T>(value: (name: string) => T, names: readonly string[] = NAMES): Record<string, T> => Object.fromEntries(names.map((n) => [n, value(n)]));

async function call(endpoint: string, envelope: Record<string, unknown>): Promise<Reply> {
  const method = gen.operationTable.find((op: { endpoint: string }) => op.endpoint === endpoint).method;
  const payload = JSON.stringify({
    method,
    path: "/",
    url: "/",
    headers: {},
    path_params: {},
    query_params: {},
    ...envelope,
  });
  const msg = await nc.request(`cirata.extensions.names.${endpoint}`, new TextEncoder().encode(payload), { timeout: 5000 });
  return JSON.parse(new TextDecoder().decode(msg.data)) as Reply;
}

/** Calls an endpoint expecting 200 and returns what its handler received. */
async function received(endpoint: string, envelope: Record<string, unknown>): Promise<Req> {
  seen.delete(endpoint);
  const reply = await call(endpoint, envelope);
  expect(reply.statuscode, JSON.stringify(reply.body)).toBe(200);
  return seen.get(endpoint) as Req;
}

/** The map holds exactly `expected` as own keys, and an omitted name reads as undefined (not an inherited member). */
function expectExactly(map: Record<string, unknown>, expected: Record<string, unknown>) {
  for (const name of NAMES) {
    if (Object.hasOwn(expected, name)) {
      expect(Object.hasOwn(map, name), name).toBe(true);
      expect(map[name], name).toEqual(expected[name]);
    } else {
      expect(Object.hasOwn(map, name), name).toBe(false);
      expect(map[name], name).toBeUndefined();
    }
  }
  expect(Object.keys(map).sort()).toEqual(Object.keys(expected).sort());
}

/** A 400 whose errors are exactly these (`in`, name or pointer), each saying "required". */
function expectRequired(reply: Reply, where: string, names: readonly string[], key: "name" | "pointer" = "name") {
  expect(reply.statuscode).toBe(400);
  expect(reply.contenttype).toBe("application/problem+json");
  const errors = reply.body.errors as {
    in: string;
    name?: string;
    pointer?: string;
    message: string;
  }[];
  expect(errors.map((e) => e[key]).sort()).toEqual([...names].sort());
  for (const e of errors) expect(e).toMatchObject({ in: where, message: "required" });
}

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await generate(path.join(ROOT, "fixtures/prototype-names.yaml"), {
    out: GENERATED,
  });
  copyFileSync(path.join(ROOT, "fixtures/prototype-names-handlers.ts"), path.join(GENERATED, "usage.ts"));
  gen = await import(pathToFileURL(path.join(GENERATED, "index.ts")).href);
  const { createHandlers } = await import(pathToFileURL(path.join(GENERATED, "usage.ts")).href);
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  ext = new Extension("Names", "names").withNatsUrl(server.url);
  await extensions.start(ext, (e) => gen.register(e, createHandlers(seen), { validateResponses: true }));
}, 60_000);

afterAll(async () => {
  await shutDown([ext], nc, server);
});

describe("generated code", () => {
  it("compiles under tsc --strict, zod tables included, with handlers reading every name as typed", async () => {
    for (const file of ["schemas.ts", "operations.ts"]) {
      const target = path.join(GENERATED, file);
      await writeFile(target, (await readFile(target, "utf8")).replace(UNCHECKED + "\n", ""));
    }
    expect(await typeCheck(OUT, ["generated/*.ts"])).toBe("");
  }, 120_000);

  it("writes `__proto__` keys of defaults, enums, consts and coercion shapes as computed (own) keys", async () => {
    const schemas = await readFile(path.join(GENERATED, "schemas.ts"), "utf8");
    expect(schemas).toContain(`.default({ ["__proto__"]: { polluted: true }, constructor: "made", toString: "text" })`);
    expect(schemas).toContain(`rt.enumOf([{ ["__proto__"]: { polluted: true } }, "plain"])`);
    expect(schemas).toContain(`rt.constOf({ ["__proto__"]: 1 })`);
    expect(schemas).not.toMatch(/[{,]\s*"?__proto__"?\s*:/);
    const deep = gen.operationTable.find((op: { handler: string }) => op.handler === "deepObjectObject");
    expect(Object.keys(deep.params[0].shape.props)).toEqual([...NAMES]);
    expect(deep.params[0].shape.props["__proto__"]).toEqual({
      types: ["integer"],
    });
  });
});

describe("parameters", () => {
  it("path: every name as a template variable arrives exactly", async () => {
    const values = every((n) => `v-${n}`);
    const req = await received("pathNames", { path_params: values });
    expectExactly(req.path, values);
    const missing = await call("pathNames", {
      path_params: every((n) => n, NAMES.slice(1)),
    });
    expectRequired(missing, "path", ["constructor"]);
  });

  it("query: omitted optional names are absent, sent ones exact; required ones missing are each named", async () => {
    expectExactly((await received("queryOptional", {})).query, {});
    const some = { constructor: "c", ["__proto__"]: "p", valueOf: "v" };
    expectExactly((await received("queryOptional", { query_params: some })).query, some);
    const all = every((n) => `q-${n}`);
    expectExactly((await received("queryOptional", { query_params: all })).query, all);
    expectRequired(await call("queryRequired", {}), "query", NAMES);
    expectExactly((await received("queryRequired", { query_params: all })).query, all);
  });

  it("headers: the same, whatever the case the envelope writes them in", async () => {
    expectExactly((await received("headerOptional", {})).headers, {});
    const sent = every((n) => `h-${n}`);
    const mixedCase = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toUpperCase(), v]));
    // Header names are matched in lower case: `toString` is read from `tostring`.
    const lower = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v]));
    expectExactly((await received("headerOptional", { headers: lower })).headers, sent);
    expectExactly((await received("headerRequired", { headers: mixedCase })).headers, sent);
    expectRequired(
      await call("headerRequired", { headers: { tostring: "x" } }),
      "header",
      NAMES.filter((n) => n !== "toString"),
    );
  });

  it("cookies: the same", async () => {
    expectExactly((await received("cookieOptional", { headers: { cookie: "other=1" } })).cookies, {});
    const sent = every((n) => `k-${n}`);
    const cookie = Object.entries(sent)
      .map(([k, v]) => `${k}=${v}`)
      .join("; ");
    expectExactly((await received("cookieOptional", { headers: { cookie } })).cookies, sent);
    expectExactly((await received("cookieRequired", { headers: { cookie } })).cookies, sent);
    expectRequired(
      await call("cookieRequired", { headers: { cookie: "__proto__=1" } }),
      "cookie",
      NAMES.filter((n) => n !== "__proto__"),
    );
  });

  it("deepObject and exploded form objects: members of every name, coerced, none inherited", async () => {
    expect((await received("deepObjectObject", {})).query.names).toBeUndefined();
    const numbers = every((_n) => 0);
    NAMES.forEach((n, i) => (numbers[n] = i));
    const deep = Object.fromEntries(NAMES.map((n, i) => [`names[${n}]`, String(i)]));
    expectExactly((await received("deepObjectObject", { query_params: deep })).query.names as Record<string, unknown>, numbers);
    expectExactly(
      (
        await received("deepObjectObject", {
          query_params: { "names[__proto__]": "7" },
        })
      ).query.names as Record<string, unknown>,
      { ["__proto__"]: 7 },
    );
    const flat = Object.fromEntries(NAMES.map((n, i) => [n, String(i)]));
    expectExactly((await received("formObject", { query_params: flat })).query.names as Record<string, unknown>, numbers);
    expectExactly((await received("formObject", { query_params: { toString: "3" } })).query.names as Record<string, unknown>, { toString: 3 });
  });
});

describe("bodies", () => {
  const nested = every((n) => `n-${n}`);

  it("JSON: optional names omitted are absent, required nested ones present; a default's `__proto__` is an own key", async () => {
    const { body } = await received("jsonBody", {
      headers: { "content-type": "application/json" },
      body: { nested },
    });
    expectExactly(body, { nested: body.nested, settings: body.settings });
    expectExactly(body.nested, nested);
    expect(Object.prototype.isPrototypeOf(body.nested)).toBe(false);
    expectExactly(body.settings, {
      ["__proto__"]: { polluted: true },
      constructor: "made",
      toString: "text",
    });
  });

  it("JSON: every name sent arrives exactly, as a parsed body and as JSON text (bytes)", async () => {
    const top = every((n) => `t-${n}`);
    // `settings` takes any property: those of these names are kept (all but an undeclared `__proto__`, which zod drops).
    const settings = every(
      (n) => n.length,
      NAMES.filter((n) => n !== "__proto__"),
    );
    const sent = {
      ...top,
      nested,
      optionalNested: { ["__proto__"]: "o", hasOwnProperty: "h" },
      settings,
    };
    const asText = { body: Buffer.from(JSON.stringify(sent)).toString("base64"), body_encoding: "base64" };
    for (const encoded of [{ body: sent }, asText]) {
      const got = (
        await received("jsonBody", {
          headers: { "content-type": "application/json" },
          ...encoded,
        })
      ).body;
      expectExactly(got, {
        ...top,
        nested: got.nested,
        optionalNested: got.optionalNested,
        settings: got.settings,
      });
      expectExactly(got.nested, nested);
      expectExactly(got.optionalNested, {
        ["__proto__"]: "o",
        hasOwnProperty: "h",
      });
      expect(Object.prototype.isPrototypeOf(got)).toBe(false);
      expectExactly(got.settings, settings);
    }
  });

  it("JSON: required nested names missing, and names of the wrong type, are each named by pointer", async () => {
    const missing = await call("jsonBody", {
      headers: { "content-type": "application/json" },
      body: { nested: {} },
    });
    expectRequired(
      missing,
      "body",
      NAMES.map((n) => `/nested/${n}`),
      "pointer",
    );
    const wrong = await call("jsonBody", {
      headers: { "content-type": "application/json" },
      body: { nested, toString: 5, ["__proto__"]: 6 },
    });
    expect(wrong.statuscode).toBe(400);
    expect(wrong.body.errors).toEqual([
      { in: "body", pointer: "/toString", message: "expected string, got 5" },
      { in: "body", pointer: "/__proto__", message: "expected string, got 6" },
    ]);
  });

  it("JSON: an enum and a const holding a `__proto__` key match only a value with that own key", async () => {
    const post = (extra: object) =>
      call("jsonBody", {
        headers: { "content-type": "application/json" },
        body: { nested, ...extra },
      });
    expect(
      (
        await post({
          choice: { ["__proto__"]: { polluted: true } },
          constant: { ["__proto__"]: 1 },
        })
      ).statuscode,
    ).toBe(200);
    expect((await post({ choice: { polluted: true } })).body.errors).toEqual([expect.objectContaining({ pointer: "/choice" })]);
    expect((await post({ constant: {} })).body.errors).toEqual([expect.objectContaining({ pointer: "/constant" })]);
  });

  it("form-urlencoded: fields of every name, coerced; the required one missing is named", async () => {
    const form = NAMES.map((n, i) => `${encodeURIComponent(n)}=${i}`).join("&");
    const body = (
      await received("formBody", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
      })
    ).body;
    expectExactly(body, Object.fromEntries(NAMES.map((n, i) => [n, i])));
    const one = (
      await received("formBody", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "constructor=4",
      })
    ).body;
    expectExactly(one, { constructor: 4 });
    expectRequired(
      await call("formBody", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "__proto__=1",
      }),
      "body",
      ["/constructor"],
      "pointer",
    );
  });

  it("multipart: parts of every name, coerced; the required one missing is named", async () => {
    const boundary = "names-boundary";
    const send = (fields: Record<string, unknown>) => ({
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: toBase64(buildMultipart(fields, boundary)),
      body_encoding: "base64",
    });
    const all = Object.fromEntries(NAMES.map((n, i) => [n, i]));
    expectExactly((await received("multipartBody", send(every((n) => String(all[n]))))).body, all);
    expectExactly((await received("multipartBody", send({ constructor: "2" }))).body, { constructor: 2 });
    expectRequired(await call("multipartBody", send({ ["__proto__"]: "1", toString: "2" })), "body", ["/constructor"], "pointer");
  });
});

describe("responses and the prototype", () => {
  it("a response of every name passes response validation and arrives exactly; one without them too", async () => {
    const all = every((n) => `r-${n}`);
    seen.set("reply", all);
    const full = await call("namedResponse", {});
    expect(full.statuscode).toBe(200);
    expect(full.body).toEqual(all);
    expect(Object.keys(full.body)).toEqual([...NAMES]);
    seen.set("reply", {});
    const empty = await call("namedResponse", {});
    expect(empty.statuscode).toBe(200);
    expect(empty.body).toEqual({});
    seen.set("reply", { ["__proto__"]: 1 });
    expect((await call("namedResponse", {})).statuscode).toBe(500);
  });

  it("leaves Object.prototype untouched", () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
