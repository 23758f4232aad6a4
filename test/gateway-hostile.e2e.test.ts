/**
 * The local platform's HTTP server against hostile input, through the CLI (`symphony-codegen dev`
 * as a process) with real extensions behind it, spoken to in raw HTTP (node:http sends the
 * request target and headers as given; fetch would normalise `//`, `Host` and `Origin`).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "nats";
import { Extension, serveApi, type ApiDefinition, type HandlerContext, type WrappedResponse } from "@symphony-codegen/runtime";
import { JSON_MAX_DEPTH } from "@symphony-codegen/runtime/internal/serve/limits.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";
import { Extensions } from "./helpers/extension.js";
import { killStarted, leftNothing, startDev, until, type Running } from "./helpers/dev-cli.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

/** Sends exactly this request line and these headers (a flat name, value, … list, in order). */
function send(port: number, method: string, target: string, headers: string[] = [], body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const hasHost = headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === "host");
    const all = [
      ...(hasHost ? [] : ["Host", `127.0.0.1:${port}`]),
      ...headers,
      ...(body === undefined ? [] : ["Content-Length", String(Buffer.byteLength(body))]),
    ];
    const req = request({ host: "127.0.0.1", port, method, path: target, headers: all, setHost: false, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
/** Every Object.prototype member name (the ones a plain-object map mistakes for its own). */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** An extension whose operations answer with the envelope they got: what the gateway sent, as the service saw it. */
const ECHO: ApiDefinition = {
  name: "echo",
  version: "1.0.0",
  description: "answers with the request envelope",
  operations: ["GET", "PUT"].map((method) => ({
    handler: "echo",
    endpoint: `echo${method}`,
    method,
    path: "/echo",
    params: [],
    // Not validated: the body reaches the handler as the runtime decoded it.
    ...(method === "PUT" ? { body: { required: false, content: { "application/json": null } } } : {}),
    responses: { "200": "application/json" },
  })),
};
const echo = {
  echo: (req: { body?: unknown }, ctx: HandlerContext) => ({
    status: 200,
    body: { query: ctx.request.query_params, headers: ctx.request.headers, body: req.body ?? null, present: req.body !== undefined },
  }),
};

describe("dev gateway: hostile HTTP", () => {
  let running: Running;
  let port: number;
  let nc: NatsConnection;
  const extensions = new Extensions();

  beforeAll(async () => {
    running = await startDev();
    port = Number(new URL(running.httpUrl).port);
    nc = await connect({ servers: running.natsUrl });
    await extensions.start(new Extension("Petstore", "petstore").withNatsUrl(running.natsUrl), (e) =>
      register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }])),
    );
    await extensions.start(new Extension("Hostile", "hostile").withNatsUrl(running.natsUrl), async (e) => void (await serveApi(e, ECHO, echo)));
  });

  afterAll(async () => {
    await extensions.stopAll();
    await nc?.close();
    if (running) {
      process.kill(running.dev.pid, "SIGINT");
      expect((await running.dev.exited).code).toBe(130);
      await leftNothing(running.nats);
    }
    killStarted();
  });

  /** The dev process serves on and logged no failure. */
  async function stillServing(): Promise<void> {
    expect((await send(port, "GET", "/api/petstore/pets/1")).status).toBe(200);
    expect((await send(port, "GET", "/")).status).toBe(200);
    expect(running.dev.records().filter((r) => r.level === "error")).toEqual([]);
    expect(running.dev.child.exitCode).toBeNull();
  }

  it("a JSON body nested 10,000 deep: 400 naming the limit (arrays and objects); dev keeps serving", async () => {
    for (const body of [nested(10_000), '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000)]) {
      for (const target of ["/api/petstore/pets", "/api/hostile/echo"]) {
        const res = await send(port, target.endsWith("echo") ? "PUT" : "POST", target, ["Content-Type", "application/json"], body);
        expect(res.status, res.text).toBe(400);
        expect(res.headers["content-type"]).toBe("application/problem+json");
        expect(res.json()).toMatchObject({
          status: 400,
          detail: `JSON body nests deeper than ${JSON_MAX_DEPTH} levels`,
          errors: [{ in: "body", pointer: "", message: `JSON body nests deeper than ${JSON_MAX_DEPTH} levels` }],
        });
      }
    }
    await stillServing();
  });

  it(`a body exactly ${JSON_MAX_DEPTH} deep reaches the extension unchanged; one deeper does not`, async () => {
    // The envelope nests it one level deeper still: the runtime's own check must agree with the gateway's.
    const ok = await send(port, "PUT", "/api/hostile/echo", ["Content-Type", "application/json"], nested(JSON_MAX_DEPTH));
    expect(ok.status, ok.text).toBe(200);
    expect(JSON.stringify(ok.json().body)).toBe(nested(JSON_MAX_DEPTH));
    expect((await send(port, "PUT", "/api/hostile/echo", ["Content-Type", "application/json"], nested(JSON_MAX_DEPTH + 1))).status).toBe(400);
    // Brackets inside strings are text, not nesting.
    const text = JSON.stringify({ s: nested(10_000) });
    const inString = await send(port, "PUT", "/api/hostile/echo", ["Content-Type", "application/json"], text);
    expect(inString.status, inString.text).toBe(200);
    expect(inString.json().body).toEqual({ s: nested(10_000) });
  });

  it("a JSON body that is null or \"\" reaches the handler as that value, not as no body", async () => {
    for (const [text, value] of [["null", null], ['""', ""], [" null ", null]] as const) {
      const res = await send(port, "PUT", "/api/hostile/echo", ["Content-Type", "application/json"], text);
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toMatchObject({ body: value, present: true });
    }
    expect((await send(port, "PUT", "/api/hostile/echo")).json()).toMatchObject({ body: null, present: false });
  });

  it("malformed request targets: 400 problem+json, never 500; every route still serves", async () => {
    const targets: [string, string][] = [
      ["GET", "//"],
      ["GET", "//x"],
      ["GET", "//api/petstore/pets"],
      ["GET", "/api/%zz"],
      ["GET", "/api/petstore/pets/%E0%A4%A"],
      ["GET", "/_symphony/docs/%zz/x"],
      ["GET", "/_symphony/openapi/petstore/%zz.json"],
      ["GET", "http://evil.example/api/petstore/pets"],
      ["GET", "http://127.0.0.1/"],
      ["OPTIONS", "*"],
    ];
    for (const [method, target] of targets) {
      const res = await send(port, method, target);
      expect(res.status, `${method} ${target}: ${res.text}`).toBe(400);
      expect(res.headers["content-type"]).toBe("application/problem+json");
      expect(res.json().detail).toMatch(/^Request target .* (is not a path|is malformed)/);
      expect(res.json().errors).toEqual([{ in: "envelope", pointer: "/url", message: res.json().detail }]);
    }
    // Empty segments after the first are a path like any other: routed, not mistaken for a host.
    expect((await send(port, "GET", "/api//petstore/pets")).status).toBe(404);
    for (const target of ["/", "/_symphony/extensions", "/_symphony/assets/swagger-ui.css", "/api/petstore/pets/1"]) {
      expect((await send(port, "GET", target)).status, target).toBe(200);
    }
    await stillServing();
  });

  it("Host: a foreign name is 421 on every path (page, API, assets); loopback names and IP literals pass", async () => {
    for (const host of ["evil.example", `evil.example:${port}`, "localhost.evil.example", "127.0.0.1.nip.io", "localhost:80@evil.example", ""]) {
      for (const target of [
        "/",
        "/api/petstore/pets/1",
        "/_symphony/extensions",
        "/_symphony/assets/swagger-ui.css",
        "/_symphony/openapi/petstore/Swagger_Petstore.json",
      ]) {
        const res = await send(port, "GET", target, ["Host", host]);
        expect(res.status, `Host ${host} ${target}: ${res.text}`).toBe(421);
        expect(res.headers["content-type"]).toBe("application/problem+json");
        expect(res.json()).toMatchObject({ status: 421, title: "Misdirected Request" });
      }
    }
    // Logged by the Host it came with: a rebinding page shows up by its name.
    const logged = await until(
      "the refusal's log line",
      () => running.dev.records().find((r) => r.message === "request refused" && r.value === "evil.example"),
      5_000,
    );
    expect(logged).toMatchObject({ level: "info", method: "GET", status: 421, reason: "host" });
    for (const host of [
      `localhost:${port}`,
      "localhost",
      `LocalHost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      `app.localhost:${port}`,
      `10.1.2.3:${port}`,
    ]) {
      const res = await send(port, "GET", "/api/petstore/pets/1", ["Host", host]);
      expect(res.status, `Host ${host}: ${res.text}`).toBe(200);
    }
  });

  it("Origin: another site's page is refused (403) whatever the method; the platform's own page and clients without Origin pass", async () => {
    const own = `http://127.0.0.1:${port}`;
    const json = ["Content-Type", "application/json"];
    for (const origin of ["http://evil.example", `http://localhost:${port}`, `https://127.0.0.1:${port}`, "null"]) {
      for (const [method, target, body] of [
        ["PUT", "/api/hostile/echo", "{}"],
        ["POST", "/api/petstore/pets", '{"name":"Mallory"}'],
        ["GET", "/api/petstore/pets/1", undefined],
      ] as const) {
        const res = await send(port, method, target, ["Origin", origin, ...json], body);
        expect(res.status, `${origin} ${method} ${target}: ${res.text}`).toBe(403);
        expect(res.json().detail).toContain(`Cross-origin request from ${JSON.stringify(origin)} refused`);
      }
    }
    // Nothing of it reached the petstore.
    expect((await send(port, "GET", "/api/petstore/pets")).json()).not.toContainEqual(expect.objectContaining({ name: "Mallory" }));

    const same = await send(port, "PUT", "/api/hostile/echo", ["Origin", own, "Sec-Fetch-Site", "same-origin", ...json], '{"a":1}');
    expect(same.status, same.text).toBe(200);
    expect(same.json().body).toEqual({ a: 1 });
    // Reached by localhost: its own origin is then http://localhost:<port>.
    expect((await send(port, "PUT", "/api/hostile/echo", ["Host", `localhost:${port}`, "Origin", `http://localhost:${port}`, ...json], "{}")).status).toBe(200);
    expect((await send(port, "POST", "/api/petstore/pets", json, '{"name":"Curl"}')).status).toBe(201);

    // An <img> or a link from another site carries no Origin, but Sec-Fetch-Site: the API refuses it, the page does not.
    const img = await send(port, "GET", "/api/petstore/pets/1", ["Sec-Fetch-Site", "cross-site"]);
    expect(img.status).toBe(403);
    expect((await send(port, "GET", "/", ["Sec-Fetch-Site", "cross-site"])).status).toBe(200);
    expect((await send(port, "GET", "/api/petstore/pets/1", ["Sec-Fetch-Site", "none"])).status).toBe(200);
  });

  it("query and header names that are Object.prototype members reach the extension as sent", async () => {
    const query = PROTOTYPE_NAMES.map((name, i) => `${encodeURIComponent(name)}=v${i}`).join("&");
    const headers = ["constructor", "c", "__proto__", "p", "toString", "t", "hasOwnProperty", "h", "valueOf", "v"];
    const res = await send(port, "GET", `/api/hostile/echo?${query}&constructor=again`, headers);
    expect(res.status, res.text).toBe(200);
    const seen = res.json() as { query: Record<string, unknown>; headers: Record<string, unknown> };
    // Own properties, compared as sorted entries: an object literal's `__proto__` key would set its prototype instead.
    const sorted = (entries: [string, unknown][]) => entries.sort(([a], [b]) => a.localeCompare(b));
    const expected = PROTOTYPE_NAMES.map((name, i): [string, unknown] => [name, name === "constructor" ? [`v${i}`, "again"] : `v${i}`]);
    expect(sorted(Object.entries(seen.query))).toEqual(sorted(expected));
    // Header names arrive in lower case (docs/protocol.md).
    const sent = headers.flatMap((h, i): [string, unknown][] => (i % 2 === 0 ? [[h.toLowerCase(), headers[i + 1]]] : []));
    expect(sorted(Object.entries(seen.headers).filter(([name]) => sent.some(([n]) => n === name)))).toEqual(sorted(sent));
  });

  it("straight over NATS: a 10,000-deep body (in the envelope or as base64 JSON text) gets a 400 reply, validated or not", async () => {
    const envelope = (method: string, path: string, body: string) =>
      `{"method":"${method}","url":"${path}","path":"${path}","headers":{"content-type":"application/json"},"path_params":{},"query_params":{},"body":${body}}`;
    const asBytes = (text: string) => `${JSON.stringify(Buffer.from(text).toString("base64"))},"body_encoding":"base64"`;
    for (const [subject, method, path] of [
      ["cirata.extensions.hostile.echoPUT", "PUT", "/echo"],
      ["cirata.extensions.petstore.addPet", "POST", "/pets"],
    ] as const) {
      for (const body of [nested(10_000), asBytes(nested(10_000))]) {
        const msg = await nc.request(subject, envelope(method, path, body), { timeout: 10_000 });
        const reply = JSON.parse(msg.string()) as WrappedResponse & { body: { detail: string } };
        expect(reply.statuscode, msg.string()).toBe(400);
        expect(reply.contenttype).toBe("application/problem+json");
        expect(reply.body.detail).toBe(`JSON body nests deeper than ${JSON_MAX_DEPTH} levels`);
      }
    }
    await stillServing();
  });
});
