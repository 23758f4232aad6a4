/**
 * readOnly / writeOnly end to end (fixtures/visibility.yaml), real nats-server and the typed
 * client: a client may leave out (or send) server-owned fields and the handler never sees them;
 * a handler that returns a writeOnly field (a password) gets a 500 naming it under response validation.
 */
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { shutDown } from "./helpers/extension.js";
import { logged } from "./helpers/logs.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { ROOT } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/visibility-e2e");
let nats: NatsServer;
let nc: NatsConnection;
const running: Extension[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let gen: any;
/** Bodies the handlers were given. */
const seen: unknown[] = [];

const account = (body: Record<string, unknown>) => ({ ...body, id: 1, createdAt: "2024-01-01T00:00:00Z" });

async function serve(prefix: string, validateResponses: boolean): Promise<void> {
  const ext = new Extension("Visibility", prefix).withNatsUrl(nats.url);
  running.push(ext);
  await ext.connect();
  await gen.register(
    ext,
    {
      createAccount: ({ body }: { body: Record<string, unknown> }) => (seen.push(body), gen.CreateAccount.created(account(body))),
      listAccounts: () => gen.ListAccounts.ok([{ id: 1, name: "Ada", createdAt: "2024-01-01T00:00:00Z" }]),
      createAdmin: ({ body }: { body: Record<string, unknown> }) => (seen.push(body), gen.CreateAdmin.created({ ...account(body), auditId: "a1" })),
      putTree: ({ body }: { body: unknown }) => (seen.push(body), gen.PutTree.ok({ id: 1, label: "root" })),
      postNote: ({ body }: { body: { text: string } }) => gen.PostNote.ok({ text: body.text }),
    },
    { validateResponses },
  );
}

beforeAll(async () => {
  await generate(path.join(ROOT, "fixtures/visibility.yaml"), { out: OUT });
  gen = await import(path.join(OUT, "index.ts"));
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await serve("vis", true);
  await serve("visraw", false);
});

afterAll(() => shutDown(running, nc, nats));

describe("readOnly / writeOnly over NATS", () => {
  it("a request without its required readOnly properties is served", async () => {
    const client = gen.createClient(nc, "visraw");
    seen.length = 0;
    const res = await client.createAccount({ body: { name: "Ada", password: "secret-1" } });
    expect(res.status).toBe(201);
    expect(seen).toEqual([{ name: "Ada", password: "secret-1" }]);
    // Without response validation the handler's leak goes out as written.
    expect(res.body).toEqual({ id: 1, name: "Ada", password: "secret-1", createdAt: "2024-01-01T00:00:00Z" });
  });

  it("readOnly properties a client sends never reach the handler, however deep", async () => {
    const client = gen.createClient(nc, "visraw");
    seen.length = 0;
    const sent = { id: 99, createdAt: "1999-01-01T00:00:00Z", name: "Eve", password: "secret-2", owner: { id: "p9", email: "eve@example.com" }, level: 3, auditId: "forged" };
    expect((await client.createAdmin({ body: sent })).status).toBe(201);
    expect((await client.putTree({ body: { id: 5, label: "r", children: [{ id: 6, label: "c" }] } })).status).toBe(200);
    expect(seen).toEqual([
      { name: "Eve", password: "secret-2", owner: { email: "eve@example.com" }, level: 3 },
      { label: "r", children: [{ label: "c" }] },
    ]);
  });

  it("a readOnly value that is sent is still validated (400 naming it)", async () => {
    const res = await gen.createClient(nc, "visraw").createAccount({ body: { id: "one", name: "Ada", password: "secret-1" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/id" })]);
  });

  it("a handler that returns a writeOnly property gets a 500, the log names the field", async () => {
    const { result: res, records } = await logged<{ status: number; body: unknown }>(() => gen.createClient(nc, "vis").createAccount({ body: { name: "Ada", password: "secret-1" } }));
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain("secret-1");
    const record = records.find((r) => r.level === "error" && r.operation === "createAccount");
    expect(record).toMatchObject({ pointer: "/password", detail: "response body /password: writeOnly property must not appear in a response" });
  });

  it("a response without its required writeOnly property passes validation", async () => {
    const res = await gen.createClient(nc, "vis").listAccounts();
    expect(res).toMatchObject({ status: 200, body: [{ id: 1, name: "Ada", createdAt: "2024-01-01T00:00:00Z" }] });
  });
});
