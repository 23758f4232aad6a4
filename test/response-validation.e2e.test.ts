/**
 * Optional response validation (`register(ext, handlers, { validateResponses: true })`, on by
 * default under `SYMPHONY_DEV=1`): a handler body that does not match the schema declared for its
 * status and JSON content type is logged, naming each field by JSON pointer, and answered with a
 * 500 problem. Petstore example, real nats-server.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callOperation, checkResponse, Extension, type OperationSpec } from "@symphony-codegen/runtime";
import { register, operationTable, FindPetById, FindPets, type Handlers } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";
import { shutDown } from "./helpers/extension.js";
import { logged } from "./helpers/logs.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { ROOT } from "./helpers/specs.js";

let nats: NatsServer;
let nc: NatsConnection;
const running: Extension[] = [];
let prefixes = 0;

const op = (handler: string): OperationSpec => operationTable.find((o) => o.handler === handler)!;

/** Serves the petstore under a fresh prefix with some handlers replaced. */
async function serve(overrides: Partial<Handlers>, options?: { validateResponses?: boolean }): Promise<string> {
  const prefix = `rv${++prefixes}`;
  const ext = new Extension("Petstore", prefix).withNatsUrl(nats.url);
  running.push(ext);
  await ext.connect();
  await register(ext, { ...createPetStore([{ id: 1, name: "Rex", tag: "dog" }]), ...overrides }, options);
  return prefix;
}

const mismatch = (records: Record<string, unknown>[]) => records.filter((r) => r.level === "error" && r.message === "handler returned a response body that does not match its schema");

beforeAll(async () => {
  delete process.env.SYMPHONY_DEV;
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
});

afterEach(() => {
  delete process.env.SYMPHONY_DEV;
});

afterAll(() => shutDown(running, nc, nats));

describe("response validation", () => {
  it("answers 500 problem+json and logs every offending field by JSON pointer", async () => {
    const prefix = await serve({ findPetById: () => FindPetById.ok({ id: "one", name: 5 } as never) }, { validateResponses: true });
    const { result, records } = await logged(() => callOperation(nc, prefix, op("findPetById"), { path: { id: 1 } }));
    expect(result.status).toBe(500);
    expect(result.contentType).toBe("application/problem+json");
    expect(result.body).toMatchObject({ status: 500, detail: "The request could not be completed" });
    expect(JSON.stringify(result.body)).not.toContain("/id"); // internals stay in the log
    const [record] = mismatch(records);
    expect(record).toMatchObject({ operation: "findPetById", status: 200, contentType: "application/json" });
    const errors = record!.errors as { pointer: string; message: string }[];
    expect(errors.map((e) => e.pointer).sort()).toEqual(["/id", "/name"]);
    expect(record!.pointer).toBe(errors[0]!.pointer);
    expect(record!.detail).toBe(`response body ${errors[0]!.pointer}: ${errors[0]!.message} (and 1 more)`);
  });

  it("names fields inside arrays and checks the schema of the status the handler chose (exact, then default)", async () => {
    const prefix = await serve(
      {
        findPets: () => FindPets.ok([{ id: 1, name: "Rex" }, { id: 2 } as never]),
        findPetById: ({ path: p }) => (p.id === 404 ? FindPetById.notFound({ code: "gone" } as never) : FindPetById.status(503, { code: 503, message: 7 } as never)),
      },
      { validateResponses: true },
    );
    const list = await logged(() => callOperation(nc, prefix, op("findPets"), {}));
    expect(list.result.status).toBe(500);
    expect(mismatch(list.records)[0]).toMatchObject({ pointer: "/1/name", errors: [{ pointer: "/1/name" }] });

    const notFound = await logged(() => callOperation(nc, prefix, op("findPetById"), { path: { id: 404 } }));
    expect(notFound.result.status).toBe(500);
    expect((mismatch(notFound.records)[0]!.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual(["/code", "/message"]);

    const fallback = await logged(() => callOperation(nc, prefix, op("findPetById"), { path: { id: 2 } }));
    expect(fallback.result.status).toBe(500);
    expect(mismatch(fallback.records)[0]).toMatchObject({ status: 503, pointer: "/message" });
  });

  it("passes valid bodies, bodiless statuses and non-JSON content types through unchanged", async () => {
    const prefix = await serve(
      {
        findPetById: ({ path: p }) =>
          p.id === 2 ? ({ status: 200, body: "Rex, a dog", contentType: "text/plain" } as never) : FindPetById.ok({ id: p.id, name: "Rex", tag: "dog" }),
        deletePet: () => ({ status: 204, body: { ignored: true } }) as never,
      },
      { validateResponses: true },
    );
    const { result: ok, records } = await logged(() => callOperation(nc, prefix, op("findPetById"), { path: { id: 1 } }));
    expect(ok).toMatchObject({ status: 200, body: { id: 1, name: "Rex", tag: "dog" } });
    const text = await callOperation(nc, prefix, op("findPetById"), { path: { id: 2 } });
    expect(text).toMatchObject({ status: 200, body: "Rex, a dog", contentType: "text/plain" });
    expect((await callOperation(nc, prefix, op("deletePet"), { path: { id: 1 } })).status).toBe(204);
    expect(mismatch(records)).toEqual([]);
  });

  it("is off by default, on by default under SYMPHONY_DEV=1, and an explicit option wins over the variable", async () => {
    const bad = { findPetById: () => FindPetById.ok({ id: "one" } as never) };
    const off = await serve(bad);
    expect((await callOperation(nc, off, op("findPetById"), { path: { id: 1 } })).status).toBe(200);

    process.env.SYMPHONY_DEV = "1";
    const devDefault = await serve(bad);
    const explicitOff = await serve(bad, { validateResponses: false });
    expect((await callOperation(nc, devDefault, op("findPetById"), { path: { id: 1 } })).status).toBe(500);
    expect((await callOperation(nc, explicitOff, op("findPetById"), { path: { id: 1 } })).status).toBe(200);
  });

  it("the operation table carries response schemas per status and JSON media type, built on first use", () => {
    const findPets = op("findPets");
    expect(Object.keys(findPets.responseBodies ?? {})).toEqual(["200", "default"]);
    expect(op("deletePet").responseBodies).toEqual({ "404": { "application/json": expect.any(Function) } });
    expect(checkResponse(findPets, { body: [{ id: 1, name: "a" }], statuscode: 200, contenttype: "application/json" })).toEqual([]);
    expect(checkResponse(findPets, { body: {}, statuscode: 200, contenttype: "application/json" })).toEqual([{ pointer: "", message: expect.any(String) }]);
    // Nothing declared for 204: nothing to check.
    expect(checkResponse(op("deletePet"), { body: null, statuscode: 204 })).toBeUndefined();
  });

  it("`symphony-codegen dev` tells developers to set SYMPHONY_DEV=1", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/symphony-codegen.js"), "dev", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up instructions within 20 s:\n${out}`)), 20_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("NATS_URL=")) (clearTimeout(timer), resolve());
        });
        child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`dev exited with ${code}:\n${out}`))));
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    }
    expect(out).toMatch(/SYMPHONY_DEV=1 SYMPHONY_TOKEN=sym_\S+ npm start/);
    expect(out).toContain("response validation");
  });
});
