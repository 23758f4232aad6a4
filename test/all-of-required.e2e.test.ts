/**
 * `required` names that one allOf member adds for properties another declares
 * (fixtures/all-of-required.yaml): the types make them required (tsc --strict, with
 * `@ts-expect-error` for each absence) and the decoders refuse a request without them, naming
 * the field, over a real nats-server.
 */
import { copyFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { Extensions, shutDown } from "./helpers/extension.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { ROOT } from "./helpers/specs.js";
import { typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/all-of-required");
const extensions = new Extensions();
let server: NatsServer;
let nc: NatsConnection;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any;

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await generate(path.join(ROOT, "fixtures/all-of-required.yaml"), { out: path.join(OUT, "generated") });
  copyFileSync(path.join(ROOT, "fixtures/all-of-required-usage.ts"), path.join(OUT, "generated/usage.ts"));
  const gen = await import(pathToFileURL(path.join(OUT, "generated/index.ts")).href);
  const { handlers } = await import(pathToFileURL(path.join(OUT, "generated/usage.ts")).href);
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await extensions.start(new Extension("AllOf", "allof").withNatsUrl(server.url), (e) => gen.register(e, handlers));
  client = gen.createClient(nc, "allof");
});

afterAll(() => shutDown(extensions.running.map((r) => r.ext), nc, server));

describe("allOf members that add required names", () => {
  it("are required in the types (tsc --strict; each @ts-expect-error must meet an error)", async () => {
    expect(await typeCheck(OUT, ["generated/*.ts"])).toBe("");
  }, 60_000);

  it("are required by the decoders, the value checked by the member that declares it", async () => {
    const ok = await client.createTodo({ body: { title: "t", done: true } });
    expect(ok).toMatchObject({ status: 201, body: { title: "t", done: true, note: "" } });
    const missing = await client.createTodo({ body: { title: "t" } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ in: "body", pointer: "/done", message: "required" }]);
    const wrong = await client.createTodo({ body: { title: "t", done: "yes" } });
    expect(wrong.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/done" })]);
  });

  it("through $refs two levels down and from the schema holding the allOf", async () => {
    const full = { title: "t", done: false, note: "n", stamp: 3 };
    expect(await client.replaceTodo({ path: { id: 1 }, body: full })).toMatchObject({ status: 200, body: { title: "t", note: "n" } });
    for (const name of ["done", "note", "stamp"] as const) {
      const { [name]: _, ...body } = full;
      const res = await client.replaceTodo({ path: { id: 1 }, body });
      expect(res.status, name).toBe(400);
      expect(res.body.errors, name).toEqual([{ in: "body", pointer: `/${name}`, message: "required" }]);
    }
  });
});
