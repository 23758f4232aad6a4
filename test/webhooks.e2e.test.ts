/** Webhooks (3.1) and callbacks: typed receivers served over NATS, typed senders, validation included. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const SPECS = path.join(ROOT, "fixtures/corpus/oai");
let server: NatsServer;
let nc: NatsConnection;
const extensions: Extension[] = [];

beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await Promise.all(extensions.map((e) => e.shutdown()));
  await nc?.close();
  await server?.stop();
});

async function load(spec: string) {
  const out = path.join(ROOT, "test/.tmp/webhooks", path.basename(spec, ".yaml"));
  const result = await generate(path.join(SPECS, spec), { out });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { result, gen: (await import(path.join(out, "index.ts"))) as any };
}

async function receiver(prefix: string) {
  const ext = new Extension(prefix, prefix).withNatsUrl(server.url);
  extensions.push(ext);
  await ext.connect();
  return ext;
}

describe("webhooks", () => {
  it("types, serves and sends a 3.1 webhook", async () => {
    const { result, gen } = await load("v3.1-webhook-example.yaml");
    expect(result.model.webhooks.map((w) => [w.kind, w.handlerName, w.method, w.path])).toEqual([["webhook", "newPet", "POST", "newPet"]]);
    const received: unknown[] = [];
    const ext = await receiver("petshop");
    await gen.registerWebhooks(ext, {
      newPet: ({ body }: { body: unknown }) => {
        received.push(body);
        return gen.NewPet.ok();
      },
    });
    const client = gen.createWebhookClient(nc, "petshop");
    const sent = await client.newPet({ body: { id: 7, name: "Rex" } });
    expect(sent.status).toBe(200);
    expect(received).toEqual([{ id: 7, name: "Rex" }]);
    const bad = await client.newPet({ body: { id: "seven", name: "Rex" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ in: "body" });
  });
});

describe("callbacks", () => {
  it("types an operation's callback as a webhook a receiver serves", async () => {
    const { result, gen } = await load("v3.0-callback-example.yaml");
    const callback = result.model.webhooks[0]!;
    expect(callback).toMatchObject({ kind: "callback", method: "POST", path: "{$request.query.callbackUrl}/data" });
    const received: unknown[] = [];
    const ext = await receiver("streams");
    await gen.registerWebhooks(ext, {
      [callback.handlerName]: ({ body }: { body: unknown }) => {
        received.push(body);
        return { status: 200 };
      },
    });
    const client = gen.createWebhookClient(nc, "streams");
    const res = await client[callback.handlerName]({ body: { timestamp: "2026-11-26T00:00:00Z", userData: "hi" } });
    expect(res.status).toBe(200);
    expect(received).toEqual([{ timestamp: "2026-11-26T00:00:00Z", userData: "hi" }]);
  });
});
