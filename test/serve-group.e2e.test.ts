/**
 * An API served on one bare queue subscription per endpoint (runtime/serve/group.ts), on a real
 * nats-server: what clients see is what one nats.js micro endpoint per operation gave them
 * ($SRV.INFO/STATS shapes, queue-group load sharing, no responders where nothing is served), and
 * NATS still routes by endpoint: an instance that does not serve an endpoint never receives its requests.
 */
import { connect, type NatsConnection, type Service, type ServiceInfo, type ServiceStats } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, serveApi } from "@symphony-codegen/runtime";
import { operationTable, register, service as petstoreService } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { Extensions } from "./helpers/extension.js";

const PREFIX = "grouped";
const GROUP = `cirata.extensions.${PREFIX}`;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = <T>(data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as T;
const findPets = {
  method: "GET",
  url: "/pets",
  headers: {},
  path_params: {},
  query_params: {},
};
const findRex = {
  method: "GET",
  url: "/pets/1",
  headers: {},
  path_params: { id: "1" },
  query_params: {},
};

interface Reply {
  statuscode: number;
  contenttype?: string;
  body: { status?: number; detail?: string } & Record<string, unknown>;
}

let server: NatsServer;
let nc: NatsConnection;
const extensions = new Extensions();
/** Which instance answered findPets, per request (instance 1 throws on every third findPetById). */
const answeredBy: number[] = [];
let rexCalls = 0;
/** The services `register` returned, one per instance. */
const services: Service[] = [];

async function startInstance(n: number): Promise<void> {
  const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
  await extensions.start(new Extension("Grouped", PREFIX).withNatsUrl(server.url), async (e) => {
    const service = await register(e, {
      ...store,
      findPets: (req, ctx) => (answeredBy.push(n), store.findPets(req, ctx)),
      findPetById: (req, ctx) => {
        if (++rexCalls % 3 === 0) throw new Error("the third call fails");
        return store.findPetById(req, ctx);
      },
    });
    services.push(service);
    // The extension's command channel shares the API's group: the API must leave it alone.
    e.subscribeCommands((msg) => void msg.respond(encode({ command: "done" })));
  });
}

async function call(endpoint: string, envelope: unknown): Promise<Reply> {
  return decode<Reply>(
    (
      await nc.request(`${GROUP}.${endpoint}`, encode(envelope), {
        timeout: 5_000,
      })
    ).data,
  );
}

async function srv<T>(verb: "INFO" | "STATS"): Promise<T[]> {
  const replies: T[] = [];
  for await (const msg of await nc.requestMany(`$SRV.${verb}.Swagger_Petstore`, "", { maxWait: 1_000 })) replies.push(decode<T>(msg.data));
  return replies;
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await startInstance(1);
  await startInstance(2);
});

afterAll(async () => {
  await extensions.stopAll();
  await nc?.close();
  await server?.stop();
});

describe("an API served on one bare subscription per endpoint", () => {
  it("$SRV.INFO lists every operation as nats.js lists an endpoint: name, subject, queue group, metadata {method, path}", async () => {
    const infos = await srv<ServiceInfo>("INFO");
    expect(infos).toHaveLength(2);
    for (const info of infos) {
      expect(Object.keys(info)).toEqual(["type", "name", "id", "version", "description", "metadata", "endpoints"]);
      expect(info.endpoints).toEqual(
        operationTable.map((op) => ({
          subject: `${GROUP}.${op.endpoint}`,
          metadata: { method: op.method, path: op.path },
          name: op.endpoint,
          queue_group: "q",
        })),
      );
      // Key order too: the reply's bytes are what a client parses.
      expect(info.endpoints.map((e) => Object.keys(e))).toEqual(operationTable.map(() => ["subject", "metadata", "name", "queue_group"]));
    }
  });

  it("two instances in one queue group share the requests: each is answered exactly once", async () => {
    answeredBy.length = 0;
    for (let i = 0; i < 40; i++) expect((await call("findPets", findPets)).statuscode).toBe(200);
    expect(answeredBy).toHaveLength(40);
    // NATS picks a queue member at random: 40 requests all to one of two instances has odds 2^-39.
    expect(new Set(answeredBy)).toEqual(new Set([1, 2]));
  });

  it("a handler that throws gets a 500 and the instance keeps serving", async () => {
    rexCalls = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call("findPetById", findRex)).statuscode);
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500]);
    expect((await call("findPets", findPets)).statuscode).toBe(200);
  });

  it("$SRV.STATS counts requests per endpoint, with nats.js's fields", async () => {
    const stats = await srv<ServiceStats>("STATS");
    expect(stats).toHaveLength(2);
    const total = (name: string) => stats.reduce((n, s) => n + s.endpoints!.find((e) => e.name === name)!.num_requests, 0);
    // 40 + 1 findPets above; 6 findPetById (a 500 is a reply, not a failed handler: nats.js never counted those as errors).
    expect(total("findPets")).toBe(41);
    expect(total("findPetById")).toBe(6);
    expect(total("addPet")).toBe(0);
    for (const s of stats) {
      expect(s.endpoints!.map((e) => e.name)).toEqual(operationTable.map((op) => op.endpoint));
      for (const e of s.endpoints!) {
        expect(Object.keys(e)).toEqual(["name", "subject", "average_processing_time", "num_errors", "num_requests", "processing_time", "queue_group"]);
        expect(e).toMatchObject({
          subject: `${GROUP}.${e.name}`,
          queue_group: "q",
          num_errors: 0,
        });
        expect(e.processing_time).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("$SRV.STATS after reset() counts from zero again", async () => {
    const before = await srv<ServiceStats>("STATS");
    expect(before.some((s) => s.endpoints!.some((e) => e.num_requests > 0))).toBe(true);
    for (const s of services) s.reset();
    const after = await srv<ServiceStats>("STATS");
    for (const s of after) for (const e of s.endpoints!) expect(e).toMatchObject({ num_requests: 0, num_errors: 0, processing_time: 0 });
  });

  it("a subject under the group that names no endpoint has no responders: the caller knows at once", async () => {
    await expect(nc.request(`${GROUP}.noSuchOperation`, encode(findPets), { timeout: 5_000 })).rejects.toMatchObject({ code: "503" });
  });

  it("during a rolling upgrade only the instances serving an endpoint receive its requests", async () => {
    const prefix = "rolling";
    const reads = operationTable.filter((op) => op.method === "GET");
    // The old version serves only the reads; the new one every operation. Same service name, same queue group.
    await extensions.start(new Extension("Old", prefix).withNatsUrl(server.url), (e) =>
      serveApi(e, { ...petstoreService, operations: reads }, createPetStore()),
    );
    await extensions.start(new Extension("New", prefix).withNatsUrl(server.url), (e) => register(e, createPetStore()));
    const created = { method: "POST", url: "/pets", headers: { "content-type": "application/json" }, path_params: {}, query_params: {}, body: { name: "Tom" } };
    for (let i = 0; i < 20; i++) {
      const reply = decode<Reply>((await nc.request(`cirata.extensions.${prefix}.addPet`, encode(created), { timeout: 5_000 })).data);
      expect(reply.statuscode).toBe(201);
    }
  });

  it("an endpoint written by hand in the API's group and queue group receives all of its own requests", async () => {
    const prefix = "mixed";
    let handmade = 0;
    await extensions.start(new Extension("Mixed", prefix).withNatsUrl(server.url), async (e) => {
      await register(e, createPetStore());
      const own = await e.addEndpoints("handmade", "1.0.0", "written by hand");
      own.addGroup(`cirata.extensions.${prefix}`, "q").addEndpoint("ping", {
        handler: (_err, msg) => {
          handmade++;
          msg.respond(encode({ pong: true }));
        },
      });
      await e.conn()!.flush();
    });
    for (let i = 0; i < 20; i++) {
      expect(decode((await nc.request(`cirata.extensions.${prefix}.ping`, encode({}), { timeout: 5_000 })).data)).toEqual({ pong: true });
      expect(decode<Reply>((await nc.request(`cirata.extensions.${prefix}.findPets`, encode(findPets), { timeout: 5_000 })).data).statuscode).toBe(200);
    }
    expect(handmade).toBe(20);
  });

  it("the extension's command channel under the same group is answered by its own subscription", async () => {
    for (let i = 0; i < 10; i++) {
      const msg = await nc.request(`${GROUP}.commands`, encode({}), {
        timeout: 5_000,
      });
      expect(decode(msg.data)).toEqual({ command: "done" });
    }
  });

  it("two APIs on one prefix in one process each serve their own endpoints", async () => {
    const prefix = "halves";
    const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
    const [reads, writes] = [operationTable.filter((op) => op.method === "GET"), operationTable.filter((op) => op.method !== "GET")];
    await extensions.start(new Extension("Halves", prefix).withNatsUrl(server.url), async (e) => {
      await serveApi(e, { ...petstoreService, name: "Reads", operations: reads }, store);
      await serveApi(e, { ...petstoreService, name: "Writes", operations: writes }, store);
    });
    for (let i = 0; i < 10; i++) {
      const reply = decode<Reply>((await nc.request(`cirata.extensions.${prefix}.findPets`, encode(findPets), { timeout: 5_000 })).data);
      expect(reply.statuscode).toBe(200);
      const created = {
        method: "POST",
        url: "/pets",
        headers: { "content-type": "application/json" },
        path_params: {},
        query_params: {},
        body: { name: `p${i}` },
      };
      expect(decode<Reply>((await nc.request(`cirata.extensions.${prefix}.addPet`, encode(created), { timeout: 5_000 })).data).statuscode).toBe(201);
    }
  });

  it("once stopped, the group's subjects have no responders", async () => {
    const ext = new Extension("Stopped", "stopped").withNatsUrl(server.url);
    const run = await extensions.start(ext, (e) => register(e, createPetStore()));
    expect(decode<Reply>((await nc.request("cirata.extensions.stopped.findPets", encode(findPets), { timeout: 5_000 })).data).statuscode).toBe(200);
    ext.stop();
    await run.done;
    await expect(
      nc.request("cirata.extensions.stopped.findPets", encode(findPets), {
        timeout: 5_000,
      }),
    ).rejects.toMatchObject({ code: "503" });
    await expect(
      nc.request("cirata.extensions.stopped.nothing", encode(findPets), {
        timeout: 5_000,
      }),
    ).rejects.toMatchObject({ code: "503" });
  });
});
