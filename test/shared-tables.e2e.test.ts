/**
 * Operation tables whose parts are shared between operations (one parameter entry, one schema thunk,
 * one responses map used by many): what a generator emitting each repeated part once (issue 16,
 * 12,000 operations) relies on. Also: operations are prepared on their first request, each its own;
 * and schemas.ts's shared pieces (`rt.shared`) are one instance for every use, built on first use.
 */
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, serveApi, shared, z, type OperationSpec, type ParamEntry } from "@symphony-codegen/runtime";
import { CircleSchema, SquareSchema } from "../examples/features/src/generated/schemas.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let server: NatsServer;
let nc: NatsConnection;
let ext: Extension;

let builds = 0;
/** One thunk, one parameter entry and one responses map, shared by every operation below. */
const top = () => {
  builds += 1;
  return z.number().int().min(0).optional();
};
const topParam: ParamEntry = { name: "$top", in: "query", style: "form", explode: false, shape: { types: ["integer"] }, schema: top };
const responses = { "200": "application/json" } as const;
const params = [topParam];
const COUNT = 300;
const operations: OperationSpec[] = Array.from({ length: COUNT }, (_, i) => ({
  handler: `list${i}`,
  endpoint: `list${i}`,
  method: "GET",
  path: `/set${i}`,
  params:
    i % 2
      ? params
      : [{ name: "id", in: "path", style: "simple", explode: false, shape: { types: ["string"] }, required: true, schema: () => z.string() }, topParam],
  responses,
}));
const handlers = Object.fromEntries(
  operations.map((op) => [op.handler, (req: { query: Record<string, unknown> }) => ({ status: 200, body: { op: op.handler, top: req.query.$top } })]),
);

async function call(i: number, query: Record<string, string>) {
  const envelope = { method: "GET", url: "/", path: "/", headers: {}, path_params: { id: "x" }, query_params: query };
  const msg = await nc.request(`cirata.extensions.shared.list${i}`, JSON.stringify(envelope), { timeout: 5000 });
  return JSON.parse(new TextDecoder().decode(msg.data)) as { statuscode?: number; body: Record<string, unknown> };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  ext = new Extension("Shared", "shared").withNatsUrl(server.url);
  await ext.connect();
  await serveApi(ext, { name: "Shared", version: "1.0.0", description: "shared parts", operations }, handlers);
});

afterAll(async () => {
  await ext.shutdown();
  await nc.close();
  await server.stop();
});

describe("operation tables with shared parts", () => {
  it("registers every endpoint, building no schema until a request needs one", async () => {
    expect(builds).toBe(0);
    const info = await nc.request("$SRV.INFO.Shared", "", { timeout: 5000 });
    const endpoints = (JSON.parse(new TextDecoder().decode(info.data)) as { endpoints: { name: string; metadata: Record<string, string> }[] }).endpoints;
    expect(endpoints).toHaveLength(COUNT);
    expect(endpoints[7]).toMatchObject({ name: "list7", metadata: { method: "GET", path: "/set7" } });
  });

  it("serves each operation as itself through the shared entries, and builds a shared schema once", async () => {
    for (const i of [0, 1, 2, 299]) expect(await call(i, { $top: "5" })).toMatchObject({ statuscode: 200, body: { op: `list${i}`, top: 5 } });
    const bad = await call(3, { $top: "-1" });
    expect(bad.statuscode).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("$top");
    expect(builds).toBe(1);
  });
});

describe("schemas.ts's shared pieces", () => {
  it("rt.shared builds its schema on the first call only, and returns that instance every time", () => {
    let built = 0;
    const piece = shared(() => {
      built += 1;
      return z.string();
    });
    expect(built).toBe(0);
    const first = piece();
    expect(piece()).toBe(first);
    expect(built).toBe(1);
  });

  it("two generated constants using the same piece hold the same instance, and each still validates as itself", () => {
    // examples/features: Circle { kind, radius > 0 } and Square { kind, side > 0 } share `kind` and the `> 0` number.
    expect(CircleSchema.safeParse({ kind: "circle", radius: 1 }).success).toBe(true);
    expect(CircleSchema.safeParse({ kind: "circle", radius: 0 }).success).toBe(false);
    expect(SquareSchema.safeParse({ kind: "sq", side: 2 }).success).toBe(true);
    expect(SquareSchema.safeParse({ kind: 7, side: 2 }).success).toBe(false);
    const shape = (schema: z.ZodType) => (schema as unknown as z.ZodLazy<z.ZodObject>).unwrap().shape;
    expect(shape(CircleSchema).kind).toBe(shape(SquareSchema).kind);
    expect(shape(CircleSchema).radius).toBe(shape(SquareSchema).side);
    expect(shape(CircleSchema).radius).not.toBe(shape(CircleSchema).kind);
  });
});
