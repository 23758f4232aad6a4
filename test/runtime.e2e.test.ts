/** The serving runtime against a real nats-server: failures, load sharing, limits, draining. */
import { randomBytes } from "node:crypto";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, RequestStrategy, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, SpecTooLarge, serveApi, z, type ApiDefinition, type HandlerContext, type OperationSpec } from "@symphony-codegen/runtime";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let server: NatsServer;
let nc: NatsConnection;
const running: { ext: Extension; done: Promise<void> }[] = [];

const operations: OperationSpec[] = [
  {
    handler: "work",
    endpoint: "work",
    method: "GET",
    path: "/work",
    params: [{ name: "ms", in: "query", style: "form", explode: true, shape: { types: ["integer"] }, schema: () => z.number().optional() }],
    responses: { "200": "application/json" },
  },
  { handler: "boom", endpoint: "boom", method: "POST", path: "/boom", params: [], responses: { "200": "application/json" } },
  { handler: "badStatus", endpoint: "badStatus", method: "GET", path: "/bad", params: [], responses: { "200": "application/json" } },
  { handler: "bigint", endpoint: "bigint", method: "GET", path: "/bigint", params: [], responses: { "200": "application/json" } },
  { handler: "context", endpoint: "context", method: "GET", path: "/context", params: [], responses: { "200": "application/json" } },
];

function api(openapi = '{"openapi":"3.1.0"}'): ApiDefinition {
  return { name: "RuntimeTest", version: "1.0.0", description: "runtime test", openapi, operations };
}

function handlers(instance: string) {
  return {
    async work(req: { query: { ms?: number } }) {
      await new Promise((r) => setTimeout(r, req.query.ms ?? 0));
      return { status: 200, body: { instance } };
    },
    boom(): never {
      throw new Error("secret internal detail");
    },
    badStatus() {
      return { status: 42 };
    },
    bigint() {
      return { status: 200, body: { n: 1n } };
    },
    context(_req: unknown, ctx: HandlerContext) {
      return { status: 200, body: { operation: ctx.operation, subject: ctx.subject, url: ctx.request.url, logs: typeof ctx.log.info } };
    },
  };
}

async function startInstance(instance: string, url = server.url): Promise<Extension> {
  const ext = new Extension("Runtime Test", "rt").withNatsUrl(url);
  let ready!: () => void;
  let failed!: (e: unknown) => void;
  const registered = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  const done = ext.runWithSetup(async (e) => {
    await serveApi(e, api(), handlers(instance));
    ready();
  });
  done.catch(failed);
  running.push({ ext, done });
  await registered;
  return ext;
}

/** Calls an endpoint with its operation's method (another method is a 405). */
async function call(endpoint: string, query: Record<string, string> = {}) {
  const method = operations.find((op) => op.endpoint === endpoint)?.method ?? "GET";
  const envelope = { method, url: "/", path: "/", headers: {}, path_params: {}, query_params: query };
  const msg = await nc.request(`cirata.extensions.rt.${endpoint}`, JSON.stringify(envelope), { timeout: 5000 });
  return JSON.parse(new TextDecoder().decode(msg.data));
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  for (const r of running) r.ext.stop();
  await Promise.allSettled(running.map((r) => r.done));
  await nc?.close();
  await server?.stop();
});

describe("serving runtime", () => {
  it("answers a throwing handler with a 500 problem, without internals, and keeps serving", async () => {
    await startInstance("a");
    const res = await call("boom");
    expect(res.statuscode).toBe(500);
    expect(res.contenttype).toBe("application/problem+json");
    expect(JSON.stringify(res)).not.toContain("secret internal detail");
    const bad = await call("badStatus");
    expect(bad.statuscode).toBe(500);
    // A body JSON cannot carry still gets exactly one reply: a 500, not a timeout.
    expect(await call("bigint")).toMatchObject({ statuscode: 500, contenttype: "application/problem+json" });
    const next = await call("work");
    expect(next).toMatchObject({ statuscode: 200, body: { instance: "a" } });
  });

  it("tells a handler its operation, the subject the request came on, the raw envelope and a logger", async () => {
    expect(await call("context")).toMatchObject({
      statuscode: 200,
      body: { operation: "context", subject: "cirata.extensions.rt.context", url: "/", logs: "function" },
    });
  });

  it("shares load between two instances through the queue group", async () => {
    await startInstance("b");
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const res = await call("work");
      seen.set(res.body.instance, (seen.get(res.body.instance) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(["a", "b"]);
    for (const count of seen.values()) expect(count).toBeGreaterThan(5);
  });

  it("lets in-flight requests finish when an instance drains", async () => {
    const solo = await startNatsServer();
    const client = await connect({ servers: solo.url });
    try {
      const ext = new Extension("Drain", "drain").withNatsUrl(solo.url);
      let ready!: () => void;
      const registered = new Promise<void>((r) => (ready = r));
      const done = ext.runWithSetup(async (e) => {
        await serveApi(e, api(), handlers("drain"));
        ready();
      });
      await registered;
      const envelope = JSON.stringify({ method: "GET", url: "/", path: "/", query_params: { ms: "300" } });
      const pending = client.request("cirata.extensions.drain.work", envelope, { timeout: 5000 });
      await new Promise((r) => setTimeout(r, 50));
      ext.stop();
      const reply = JSON.parse(new TextDecoder().decode((await pending).data));
      expect(reply).toMatchObject({ statuscode: 200, body: { instance: "drain" } });
      await done;
      expect(ext.conn()?.isClosed()).toBe(true);
    } finally {
      await client.close();
      await solo.stop();
    }
  });

  it("refuses a service whose endpoint list alone exceeds max_payload, saying that the endpoints (not the spec) fill it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
    writeFileSync(path.join(dir, "small.conf"), "max_payload: 4096\n");
    const small = await startNatsServer({ args: ["-c", path.join(dir, "small.conf")] });
    const ext = new Extension("Many", "many").withNatsUrl(small.url);
    try {
      await ext.connect();
      const many: OperationSpec[] = Array.from({ length: 60 }, (_, i) => ({ ...operations[1]!, handler: `op${i}`, endpoint: `op${i}` }));
      const stubs = Object.fromEntries(many.map((op) => [op.handler, () => ({ status: 200 })]));
      const error = await serveApi(ext, { name: "Many", version: "1.0.0", description: "many", operations: many }, stubs).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpecTooLarge);
      expect((error as SpecTooLarge).maxPayload).toBe(4096);
      expect((error as Error).message).toMatch(/its 60 endpoints are \(\d+ bytes each.*Raise the server's max_payload above \d+ bytes/);
    } finally {
      await ext.shutdown();
      await small.stop();
    }
  });

  it("refuses to register a service whose spec fits in no form (no JetStream for the object store), naming both sizes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
    const conf = path.join(dir, "small.conf");
    writeFileSync(conf, "max_payload: 4096\n");
    const small = await startNatsServer({ jetstream: false, args: ["-c", conf] });
    const ext = new Extension("Big", "big").withNatsUrl(small.url);
    try {
      await ext.connect();
      const big = JSON.stringify({ openapi: "3.1.0", padding: randomBytes(8_000).toString("base64") }); // incompressible
      const error = await serveApi(ext, api(big), handlers("big")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpecTooLarge);
      expect((error as SpecTooLarge).maxPayload).toBe(4096);
      expect((error as SpecTooLarge).infoBytes).toBeGreaterThan(10_000);
      expect((error as Error).message).toMatch(/\d+ bytes.*max_payload is 4096 bytes/);
      // Nothing half-registered is left answering discovery.
      const probe = await connect({ servers: small.url });
      const names: string[] = [];
      try {
        for await (const s of await probe.services.client({ maxWait: 300, strategy: RequestStrategy.Timer }).ping()) names.push(s.name);
      } catch (err) {
        expect((err as { code?: string }).code).toBe("503"); // no responders at all
      }
      expect(names).toEqual([]);
      await probe.close();
    } finally {
      await ext.shutdown();
      await small.stop();
    }
  });

  it("rejects an endpoint handler table with missing handlers, by name", async () => {
    const ext = new Extension("Missing", "missing").withNatsUrl(server.url);
    await ext.connect();
    try {
      await expect(serveApi(ext, api(), { work() {} })).rejects.toThrow(/Handlers missing for: boom, badStatus/);
    } finally {
      await ext.shutdown();
    }
  });
});
