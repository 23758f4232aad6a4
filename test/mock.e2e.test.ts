/**
 * `symphony-codegen mock <spec>` as users meet it: `node bin/symphony-codegen.js mock` started as a
 * child process against a real nats-server, called with REST envelopes over NATS (and through the
 * gateway of `dev --mock`). Bodies are judged by an independent validator (ajv, the differential
 * test's reference), not by the runtime that produced them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeOpenApiMetadata, type WrappedResponse } from "@symphony-codegen/runtime";
import { buildModel, loadSpec, type ApiModel } from "../generator/index.js";
import { Reference } from "./helpers/differential/reference.js";
import { killStarted, leftNothing, ROOT, startCommand, startDev, until, type DevProcess, type Exit } from "./helpers/dev-cli.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { PROTOTYPE_MEMBER_NAMES } from "./helpers/prototype-names.js";

const PETSTORE = "examples/petstore/openapi.yaml";
const FIXTURE = "fixtures/mock.yaml";
const GALAXY = "fixtures/corpus/scalar-galaxy/galaxy.json";
const TRACCAR = "fixtures/corpus/traccar/traccar.json";
const PROTOTYPES = "fixtures/prototype-names.yaml";

type Reply = WrappedResponse & { statuscode: number; body: any };

let server: NatsServer;
let nc: NatsConnection;

afterAll(async () => {
  killStarted();
  await nc?.close();
  await server?.stop();
});

/** A mock process on the test's nats-server, once it serves. */
async function startMock(spec: string, ...args: string[]): Promise<DevProcess> {
  const mock = startCommand(["mock", spec, "--nats", server.url, ...args]);
  await Promise.race([
    until(`${spec} to serve`, () => mock.records().some((r) => r.message === "mock serving"), 60_000),
    mock.exited.then((e): never => {
      throw new Error(`mock ${spec} exited (${e.code ?? e.signal}): ${mock.stderr()}`);
    }),
  ]);
  return mock;
}

async function call(prefix: string, endpoint: string, envelope: Record<string, unknown> = {}): Promise<Reply> {
  const request = { method: "GET", url: "/", path: "/", headers: {}, path_params: {}, query_params: {}, ...envelope };
  const reply = await nc.request(`cirata.extensions.${prefix}.${endpoint}`, JSON.stringify(request), { timeout: 10_000 });
  return JSON.parse(new TextDecoder().decode(reply.data)) as Reply;
}

/** The spec's model and an ajv validator for the JSON body of one of its responses. */
async function referee(spec: string) {
  const model: ApiModel = buildModel(await loadSpec(path.join(ROOT, spec)));
  const reference = new Reference(model.document, model.openapiVersion);
  const operation = (name: string) => model.operations.find((o) => o.handlerName === name || o.endpoint === name)!;
  return {
    model,
    operation,
    /** The ajv errors of a body against the response `key` of an operation, by handler or endpoint name (null: valid). */
    errors(name: string, key: string, body: unknown) {
      const media = operation(name)
        .responses.find((r) => r.key === key)!
        .content.find((m) => m.contentType === "application/json")!;
      const validate = reference.validator(media.schema, "response");
      return validate(body) ? null : validate.errors;
    },
  };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

describe("mock: the petstore", () => {
  let mock: DevProcess;
  let ref: Awaited<ReturnType<typeof referee>>;
  beforeAll(async () => {
    [mock, ref] = await Promise.all([startMock(PETSTORE), referee(PETSTORE)]);
  });

  it("$SRV.INFO lists it with the spec as `openapi` metadata, like a real extension", async () => {
    const info = JSON.parse(new TextDecoder().decode((await nc.request("$SRV.INFO.Swagger_Petstore", "", { timeout: 5_000 })).data));
    expect(info.name).toBe("Swagger_Petstore");
    expect(info.metadata.mock).toBe("seed=0");
    const spec = JSON.parse((await decodeOpenApiMetadata(info.metadata))!);
    expect(spec.info.title).toBe("Swagger Petstore");
    expect(info.endpoints.map((e: { subject: string }) => e.subject).sort()).toEqual(
      ["addPet", "deletePet", "findPetById", "findPets"].map((e) => `cirata.extensions.swagger-petstore.${e}`),
    );
  });

  it("answers with a generated body that validates (the lowest declared 2xx)", async () => {
    const reply = await call("swagger-petstore", "findPets");
    expect(reply.statuscode).toBe(200);
    expect(reply.contenttype).toBe("application/json");
    expect(reply.body.length).toBeGreaterThan(0);
    expect(ref.errors("findPets", "200", reply.body)).toBeNull();
    const created = await call("swagger-petstore", "addPet", { method: "POST", body: { name: "Rex" } });
    expect(created.statuscode).toBe(201);
    expect(ref.errors("addPet", "201", created.body)).toBeNull();
  });

  it("Prefer: code=404 gives the declared 404 body", async () => {
    const reply = await call("swagger-petstore", "findPetById", { path_params: { id: "7" }, headers: { prefer: "code=404" } });
    expect(reply.statuscode).toBe(404);
    expect(ref.errors("findPetById", "404", reply.body)).toBeNull();
    // `default` covers any status: an error the operation does not list by number still gets its body.
    const teapot = await call("swagger-petstore", "findPetById", { path_params: { id: "7" }, headers: { prefer: "code=418" } });
    expect(teapot.statuscode).toBe(418);
    expect(ref.errors("findPetById", "default", teapot.body)).toBeNull();
  });

  it("an undeclared Prefer code: 400 problem+json naming the codes that exist", async () => {
    const reply = await call("swagger-petstore", "deletePet", { method: "DELETE", path_params: { id: "7" }, headers: { prefer: "code=500" } });
    expect(reply.statuscode).toBe(400);
    expect(reply.contenttype).toBe("application/problem+json");
    expect(reply.body.detail).toBe("Prefer: code=500: DELETE /pets/{id} (deletePet) declares no such response; it declares 204, 404");
    expect(reply.body.errors).toEqual([{ in: "header", name: "prefer", message: reply.body.detail }]);
    const notACode = await call("swagger-petstore", "deletePet", { method: "DELETE", path_params: { id: "7" }, headers: { prefer: "code=abc" } });
    expect(notACode.statuscode).toBe(400);
    expect(notACode.body.detail).toBe("Prefer: code=abc is not an HTTP status code (100–599)");
    const noContent = await call("swagger-petstore", "deletePet", { method: "DELETE", path_params: { id: "7" } });
    expect(noContent).toMatchObject({ statuscode: 204, body: null });
    expect(noContent.contenttype).toBeUndefined();
  });

  it("an invalid request: 400 problem+json from the generated decoders, naming the parameter or field", async () => {
    const badId = await call("swagger-petstore", "findPetById", { path_params: { id: "seven" } });
    expect(badId.statuscode).toBe(400);
    expect(badId.contenttype).toBe("application/problem+json");
    expect(badId.body.errors).toEqual([expect.objectContaining({ in: "path", name: "id" })]);
    const badBody = await call("swagger-petstore", "addPet", { method: "POST", body: { tag: "dog" } });
    expect(badBody.statuscode).toBe(400);
    expect(badBody.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/name" })]);
    const badLimit = await call("swagger-petstore", "findPets", { query_params: { limit: "1000" } });
    expect(badLimit.statuscode).toBe(400);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ in: "query", name: "limit" })]);
  });

  it("SIGINT drains and exits 130; SIGTERM 143", async () => {
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const) {
      const m = signal === "SIGINT" ? mock : await startMock(PETSTORE, "--prefix", "petstore-term");
      process.kill(m.pid, signal);
      const exit: Exit = await m.exited;
      expect(exit.code).toBe(code);
      expect(m.records().map((r) => r.message)).toContain("extension stopped");
    }
    // Nothing serves the subjects any more.
    await expect(call("swagger-petstore", "findPets")).rejects.toThrow(/503|no responders/i);
  });
});

describe("mock: examples, generated data and seeds", () => {
  let ref: Awaited<ReturnType<typeof referee>>;
  beforeAll(async () => {
    [ref] = await Promise.all([
      referee(FIXTURE),
      startMock(FIXTURE, "--prefix", "seed1a", "--seed", "1"),
      startMock(FIXTURE, "--prefix", "seed1b", "--seed", "1"),
      startMock(FIXTURE, "--prefix", "seed2", "--seed", "2"),
    ]);
  });

  it("answers with the first example that validates, and a value for each required header", async () => {
    const reply = await call("seed1a", "getThing", { path_params: { id: "3" } });
    expect(reply).toMatchObject({ statuscode: 200, contenttype: "application/json", body: { id: 1, name: "small thing" } });
    expect(reply.headers?.["X-Request-Id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(reply.headers?.["X-Optional"]).toBeUndefined();
  });

  it("Prefer: example=<name> picks a named example ($ref'd too), and finds its response", async () => {
    expect((await call("seed1a", "getThing", { path_params: { id: "3" }, headers: { prefer: "example=large" } })).body).toEqual({
      id: 2,
      name: "large thing",
      tags: ["big"],
    });
    const missing = await call("seed1a", "getThing", { path_params: { id: "3" }, headers: { prefer: 'code=404, example="example"' } });
    expect(missing).toMatchObject({ statuscode: 404, body: { code: 404, message: "no such thing" } });
    const unknown = await call("seed1a", "getThing", { path_params: { id: "3" }, headers: { prefer: "example=huge" } });
    expect(unknown.statuscode).toBe(400);
    expect(unknown.body.detail).toBe(
      "Prefer: example=huge: no response of GET /things/{id} (getThing) has an example of that name; its examples are small, large, example",
    );
  });

  it("an example that does not match its schema is not sent: generated data is, valid for ajv", async () => {
    const reply = await call("seed1a", "listThings");
    expect(reply.statuscode).toBe(200);
    expect(reply.body).not.toEqual([{ id: "not a number" }]);
    expect(ref.errors("listThings", "2XX", reply.body)).toBeNull();
    // A 2XX range answers any 2xx the client prefers.
    const accepted = await call("seed1a", "listThings", { headers: { prefer: "code=202" } });
    expect(accepted.statuscode).toBe(202);
    expect(ref.errors("listThings", "2XX", accepted.body)).toBeNull();
  });

  it("the same seed gives the same bytes (another process too); another seed different ones", async () => {
    const texts = async (prefix: string) =>
      JSON.stringify([
        await call(prefix, "listThings"),
        await call(prefix, "createThing", { method: "POST", body: { name: "n" } }),
        await call(prefix, "thingLabel", { path_params: { id: "1" } }),
      ]);
    const [a, again, b, other] = [await texts("seed1a"), await texts("seed1a"), await texts("seed1b"), await texts("seed2")];
    expect(again).toBe(a);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    const label = JSON.parse(a)[2] as Reply;
    expect(label.contenttype).toBe("text/plain");
    expect(typeof label.body === "string" && label.body.length >= 3).toBe(true);
  });

  it("operations named constructor, toString and __proto__ are served, decoded and answered", async () => {
    const constructed = await call("seed1a", "constructor");
    expect(constructed.statuscode).toBe(200);
    expect(Object.keys(constructed.body)).toEqual(expect.arrayContaining(["constructor", "toString"]));
    expect(ref.errors("constructor", "200", constructed.body)).toBeNull();
    // The example's `__proto__` is an own key of the answer (JSON.parse makes it one), not a prototype.
    const text = await call("seed1a", "toString", { query_params: { valueOf: "1" } });
    expect(text.statuscode).toBe(200);
    expect(Object.hasOwn(text.body, "__proto__")).toBe(true);
    expect(text.body.__proto__).toEqual({ polluted: true });
    const missing = await call("seed1a", "toString");
    expect(missing.statuscode).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ in: "query", name: "valueOf" })]);
    const proto = await call("seed1a", "proto");
    expect(proto.statuscode).toBe(200);
    expect(Number.isInteger(proto.body) && proto.body >= 1).toBe(true);
  });

  it("an invalid request is rejected before the mock answers", async () => {
    const reply = await call("seed1a", "getThing", { path_params: { id: "0" } });
    expect(reply.statuscode).toBe(400);
    expect(reply.body.errors).toEqual([expect.objectContaining({ in: "path", name: "id" })]);
    const body = await call("seed1a", "createThing", { method: "POST", body: { name: "" } });
    expect(body.statuscode).toBe(400);
    expect(body.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/name" })]);
  });
});

/** A value for a required parameter: its schema's example, else one of its type (all a published GET needs here). */
function parameterValue(schema: { examples?: unknown[]; example?: unknown; type?: unknown; format?: unknown }): string {
  const value = schema.examples?.[0] ?? schema.example ?? (schema.format === "date-time" ? "2024-01-01T00:00:00Z" : schema.type === "string" ? "x" : 1);
  return String(value);
}

describe("mock: published descriptions nobody here wrote", () => {
  for (const [name, spec, prefix] of [
    ["Scalar's Galaxy (3.1)", GALAXY, "galaxy"],
    ["Traccar (converted from Swagger 2.0)", TRACCAR, "traccar"],
  ] as const) {
    it(`${name}: every GET answers with a 2xx whose body validates`, async () => {
      const [ref] = await Promise.all([referee(spec), startMock(spec, "--prefix", prefix)]);
      const gets = ref.model.operations.filter((o) => o.method === "GET");
      expect(gets.length).toBeGreaterThanOrEqual(3);
      let validated = 0;
      for (const op of gets) {
        const required = (where: string) =>
          Object.fromEntries(op.parameters.filter((p) => p.in === where && p.required).map((p) => [p.name, parameterValue(p.schema as object)]));
        const reply = await call(prefix, op.endpoint, { path_params: required("path"), query_params: required("query") });
        const where = `${op.method} ${op.path}: ${reply.statuscode} ${JSON.stringify(reply.body)}`;
        expect(reply.statuscode, where).toBeGreaterThanOrEqual(200);
        expect(reply.statuscode, where).toBeLessThan(300);
        const response = op.responses.find((r) => r.key === String(reply.statuscode) || r.key === "2XX")!;
        // A JSON response is answered as JSON, and ajv agrees with it; another media type as declared (or none).
        if (response.content.some((m) => m.contentType === "application/json")) {
          expect(reply.contenttype, where).toBe("application/json");
          expect(ref.errors(op.handlerName, response.key, reply.body), where).toBeNull();
          validated++;
        } else expect(response.content.map((m) => m.contentType).concat("(none)")).toContain(reply.contenttype ?? "(none)");
      }
      expect(validated).toBeGreaterThanOrEqual(3);
    });
  }
});

describe("mock: names that are JavaScript built-ins", () => {
  it("answers, decodes and rejects with every Object.prototype member name", async () => {
    const [ref] = await Promise.all([referee(PROTOTYPES), startMock(PROTOTYPES, "--prefix", "prototypes")]);
    const named = await call("prototypes", "namedResponse");
    expect(named.statuscode).toBe(200);
    expect(ref.errors("namedResponse", "200", named.body)).toBeNull();
    const every = Object.fromEntries(PROTOTYPE_MEMBER_NAMES.map((n) => [n, `v-${n}`]));
    const path = await call("prototypes", "pathNames", { path_params: every });
    expect(path.statuscode).toBe(200);
    // A JSON body with every name, `__proto__` as an own key: accepted; one missing: rejected, naming it.
    expect((await call("prototypes", "jsonBody", { method: "POST", body: { nested: every } })).statuscode).toBe(200);
    const { __proto__: _dropped, ...withoutProto } = every;
    const rejected = await call("prototypes", "jsonBody", { method: "POST", body: { nested: { ...withoutProto } } });
    expect(rejected.statuscode).toBe(400);
    expect(rejected.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/nested/__proto__" })]);
  });
});

describe("mock: spec and option problems", () => {
  it("a --seed that is not an integer: one clear error, exit code 1", async () => {
    const mock = startCommand(["mock", PETSTORE, "--nats", server.url, "--seed", "x1"]);
    expect(await mock.exited).toMatchObject({ code: 1 });
    expect(mock.stderr().trim()).toBe('error: --seed must be an integer, got "x1"');
  });

  it("get the diagnostics generate gives (file, line, pointer), exit code 1", async () => {
    const mock = startCommand(["mock", "fixtures/invalid/duplicate-endpoint-override.yaml", "--nats", server.url]);
    expect(await mock.exited).toMatchObject({ code: 1 });
    expect(mock.stderr()).toContain(
      'fixtures/invalid/duplicate-endpoint-override.yaml:15:7 #/paths/~1animals/get: error: Endpoint name "animals" of GET /animals (operationId "listAnimals") is also used by',
    );
  });
});

/** Pids of the mock processes `dev --mock` starts (the absolute spec path tells them from this file's). */
function devMocks(): number[] {
  const wanted = [path.join(ROOT, PETSTORE), path.join(ROOT, FIXTURE)];
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return args.includes("mock") && wanted.some((spec) => args.includes(spec));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("dev --mock", () => {
  it("the gateway routes /api/<prefix>/... to the mock, /_symphony/extensions lists it; SIGINT leaves nothing", async () => {
    const { dev, httpUrl, nats } = await startDev(["--mock", PETSTORE, "--mock", `${FIXTURE}=things`]);
    const pet = await until("the gateway to route to the mock", async () => {
      const res = await fetch(`${httpUrl}/api/swagger-petstore/pets/3`);
      return res.status === 200 ? res : undefined;
    });
    expect(await pet.json()).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
    const missing = await fetch(`${httpUrl}/api/swagger-petstore/pets/3`, { headers: { Prefer: "code=404" } });
    expect(missing.status).toBe(404);
    const thing = await until("the second mock", async () => {
      const res = await fetch(`${httpUrl}/api/things/things/3`);
      return res.status === 200 ? res : undefined;
    });
    expect(thing.headers.get("x-request-id")).toBeTruthy();
    expect(await thing.json()).toEqual({ id: 1, name: "small thing" });
    const listed = (await (await fetch(`${httpUrl}/_symphony/extensions`)).json()) as { extensions: { entry: { prefix: string } }[] };
    expect(listed.extensions.map((e) => e.entry.prefix).sort()).toEqual(["swagger-petstore", "things"]);
    expect(devMocks()).toHaveLength(2);

    process.kill(-dev.pid, "SIGINT");
    expect(await dev.exited).toMatchObject({ code: 130 });
    await leftNothing(nats);
    expect(dev.records().filter((r) => r.message === "extension stopped")).toHaveLength(2);
    expect(devMocks()).toEqual([]);
  });

  it("a mock that cannot start stops dev with its exit code, leaving nothing", async () => {
    const { dev, nats } = await startDev(["--mock", "fixtures/invalid/duplicate-endpoint-override.yaml"]);
    expect(await dev.exited).toMatchObject({ code: 1 });
    expect(dev.stderr()).toContain("duplicate-endpoint-override.yaml:15:7 #/paths/~1animals/get: error: Endpoint name");
    expect(dev.records().find((r) => r.message === "the --mock command exited; stopping")).toMatchObject({ exitCode: 1 });
    await leftNothing(nats);
  });
});
