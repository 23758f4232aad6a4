/** The petstore example served over a real nats-server, called with envelopes. */
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let server: NatsServer;
let nc: NatsConnection;
const extensions: Extension[] = [];
const running: Promise<void>[] = [];

async function startInstance(handlers = createPetStore([{ id: 1, name: "Rex", tag: "dog" }])): Promise<Extension> {
  const ext = new Extension("Petstore", "petstore").withNatsUrl(server.url);
  let ready!: () => void;
  const registered = new Promise<void>((r) => (ready = r));
  running.push(
    ext.runWithSetup(async (e) => {
      await register(e, handlers);
      ready();
    }),
  );
  await registered;
  extensions.push(ext);
  return ext;
}

interface Envelope {
  method: string;
  path: string;
  path_params?: Record<string, string>;
  query_params?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: unknown;
}

async function call(endpoint: string, envelope: Envelope | string) {
  const payload =
    typeof envelope === "string" ? envelope : JSON.stringify({ url: envelope.path, headers: {}, path_params: {}, query_params: {}, ...envelope });
  const msg = await nc.request(`cirata.extensions.petstore.${endpoint}`, new TextEncoder().encode(payload), { timeout: 5000 });
  return JSON.parse(new TextDecoder().decode(msg.data)) as { body: any; statuscode: number; contenttype: string; headers?: Record<string, string> };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await startInstance();
});

afterAll(async () => {
  for (const ext of extensions) ext.stop();
  await Promise.all(running);
  await nc?.close();
  await server?.stop();
});

describe("petstore over NATS", () => {
  it("an envelope whose method is not the endpoint's operation gets 405 with Allow, not the operation", async () => {
    const before = await call("findPets", { method: "GET", path: "/pets" });
    const reply = await call("findPets", { method: "DELETE", path: "/pets" });
    expect(reply.statuscode).toBe(405);
    expect(reply.contenttype).toBe("application/problem+json");
    expect(reply.headers).toEqual({ Allow: "GET" });
    expect(reply.body.detail).toContain('method "DELETE" is not allowed');
    // Nothing was served: the list is what it was.
    expect((await call("findPets", { method: "GET", path: "/pets" })).body).toEqual(before.body);
  });

  it("answers typed requests with the declared responses", async () => {
    const created = await call("addPet", { method: "POST", path: "/pets", headers: { "content-type": "application/json" }, body: { name: "Tom", tag: "cat" } });
    expect(created.statuscode).toBe(201);
    expect(created.contenttype).toBe("application/json");
    expect(created.body).toMatchObject({ name: "Tom", tag: "cat" });
    const id = created.body.id as number;

    const found = await call("findPetById", { method: "GET", path: `/pets/${id}`, path_params: { id: String(id) } });
    expect(found).toMatchObject({ statuscode: 200, body: { id, name: "Tom" } });

    const list = await call("findPets", { method: "GET", path: "/pets", query_params: { tags: ["cat", "dog"], limit: "1" } });
    expect(list.statuscode).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.headers).toEqual({ "X-Total-Count": "2" });

    const missing = await call("findPetById", { method: "GET", path: "/pets/999", path_params: { id: "999" } });
    expect(missing).toMatchObject({ statuscode: 404, body: { code: 404 } });

    const deleted = await call("deletePet", { method: "DELETE", path: `/pets/${id}`, path_params: { id: String(id) } });
    expect(deleted).toEqual({ statuscode: 204, body: null });
  });

  it("applies defaults from the spec", async () => {
    const list = await call("findPets", { method: "GET", path: "/pets" });
    expect(list.statuscode).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
  });

  it("rejects bad parameters with a 400 problem naming the parameter", async () => {
    const res = await call("findPetById", { method: "GET", path: "/pets/abc", path_params: { id: "abc" } });
    expect(res.statuscode).toBe(400);
    expect(res.contenttype).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 400, title: "Bad Request" });
    expect(res.body.errors).toEqual([expect.objectContaining({ in: "path", name: "id" })]);

    // Integers are exact: non-canonical text and values beyond 2^53 (which Number() would round) are refused, named.
    for (const id of ["1.0", " 1 ", "1e0", "9007199254740993"]) {
      const odd = await call("findPetById", { method: "GET", path: `/pets/${id}`, path_params: { id } });
      expect(odd.statuscode, id).toBe(400);
      expect(odd.body.errors, id).toEqual([expect.objectContaining({ in: "path", name: "id" })]);
    }

    const over = await call("findPets", { method: "GET", path: "/pets", query_params: { limit: "1000" } });
    expect(over.statuscode).toBe(400);
    expect(over.body.errors[0]).toMatchObject({ in: "query", name: "limit" });
  });

  it("rejects bad bodies with a 400 problem naming the field", async () => {
    const res = await call("addPet", { method: "POST", path: "/pets", headers: { "content-type": "application/json" }, body: { name: 42 } });
    expect(res.statuscode).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/name" })]);
    expect(res.body.detail).toBe("body field /name: expected string, got 42");

    const empty = await call("addPet", { method: "POST", path: "/pets" });
    expect(empty.statuscode).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ in: "body", message: "required" });
    expect(empty.body.detail).toBe("body: required");
  });

  it("rejects a malformed envelope with a 400", async () => {
    const res = await call("findPets", "{not json");
    expect(res.statuscode).toBe(400);
    expect(res.body.errors[0].in).toBe("envelope");
  });

  it("carries the spec in $SRV.INFO metadata", async () => {
    const msg = await nc.request("$SRV.INFO.Swagger_Petstore", undefined, { timeout: 2000 });
    const info = JSON.parse(new TextDecoder().decode(msg.data));
    expect(info.version).toBe("1.0.0");
    const spec = JSON.parse(info.metadata.openapi);
    expect(spec.info.title).toBe("Swagger Petstore");
    expect(Object.keys(spec.paths)).toEqual(["/pets", "/pets/{id}"]);
    expect(info.endpoints.map((e: { subject: string }) => e.subject).sort()).toEqual([
      "cirata.extensions.petstore.addPet",
      "cirata.extensions.petstore.deletePet",
      "cirata.extensions.petstore.findPetById",
      "cirata.extensions.petstore.findPets",
    ]);
    expect(info.endpoints.find((e: { name: string }) => e.name === "findPetById").metadata).toEqual({ method: "GET", path: "/pets/{id}" });
  });
});

describe("generated typed client", () => {
  it("calls each operation and returns the typed response union", async () => {
    const { createClient } = await import("../examples/petstore/src/generated/index.js");
    const client = createClient(nc, "petstore");
    const created = await client.addPet({ body: { name: "Client", tag: "bird" } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: number }).id;
    const found = await client.findPetById({ path: { id } });
    expect(found).toMatchObject({ status: 200, body: { id, name: "Client" }, contentType: "application/json" });
    const list = await client.findPets({ query: { tags: ["bird"], limit: 5 } });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ id, name: "Client", tag: "bird" }]);
    expect(list.headers).toEqual({ "X-Total-Count": "1" });
    const bad = await client.findPetById({ path: { id: 1.5 } });
    expect(bad.status).toBe(400);
    expect((await client.deletePet({ path: { id } })).status).toBe(204);
  });

  it("throws ConnectionFailed when no instance answers", async () => {
    const { createClient } = await import("../examples/petstore/src/generated/index.js");
    const { ConnectionFailed } = await import("@symphony-codegen/runtime");
    await expect(createClient(nc, "nobody-here").findPets()).rejects.toBeInstanceOf(ConnectionFailed);
  });
});
