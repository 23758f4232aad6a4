/**
 * Idempotent requests survive NATS faults (issue 13), with real nats-server processes: the retry
 * policy (runtime/core/retry.ts) against a real server, then the fault harness (test/helpers/faults.ts)
 * shortened: 300 requests over 5 s across a nats-server restart, and across a kill -9 of one of two
 * petstore instances whose handlers take 100 ms (so requests are in flight on the killed one), with
 * 0 idempotent failures and no POST executed twice.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, type Msg, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callOperation, ConnectionFailed, requestWithRetry, Timeout, type AttemptReason, type OperationSpec } from "@symphony-codegen/runtime";
import { buildModel, emitFiles, loadSpec } from "../generator/index.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { ROOT, until } from "./helpers/dev-cli.js";
import { runFaults } from "./helpers/faults.js";

const payload = new TextEncoder().encode("{}");
const op = (method: string, extra: Partial<OperationSpec> = {}): OperationSpec => ({
  handler: "thing",
  endpoint: "thing",
  method,
  path: "/thing",
  params: [],
  responses: { "200": "application/json" },
  ...extra,
});
const SUBJECT = "cirata.extensions.retry.thing";

describe("the retry policy against a real nats-server", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  /** A responder on SUBJECT: `answer(n)` for the n-th message (1-based) says whether to reply; every message is counted. */
  function responder(answer: (n: number, msg: Msg) => boolean | Promise<boolean>) {
    let received = 0;
    const sub = nc.subscribe(SUBJECT, {
      callback: async (_err, msg) => {
        const n = ++received;
        if (await answer(n, msg)) msg.respond(JSON.stringify({ n }));
      },
    });
    return { received: () => received, stop: () => sub.unsubscribe(), ready: nc.flush() };
  }

  it("no responders: an idempotent request is sent again until a service appears, within the deadline", async () => {
    const reasons: AttemptReason[] = [];
    const call = requestWithRetry(nc, SUBJECT, payload, { timeoutMs: 30_000, idempotent: true, onAttempt: (_n, reason) => reasons.push(reason) });
    await until("a second attempt", () => reasons.length >= 2);
    const r = responder(() => true);
    await r.ready;
    const msg = await call;
    r.stop();
    expect(JSON.parse(new TextDecoder().decode(msg.data))).toEqual({ n: 1 });
    expect(reasons[0]).toBe("first");
    expect(reasons.slice(1).every((x) => x === "no-responders")).toBe(true);
  });

  it("the typed client: GET retried until the service appears; POST answered ConnectionFailed after one attempt", async () => {
    const get = callOperation(nc, "retry", op("GET"), undefined, { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    const r = responder(() => true);
    await r.ready;
    expect((await get).body).toEqual({ n: 1 });
    r.stop();
    await nc.flush();
    await expect(callOperation(nc, "retry", op("POST"), undefined, { timeout: 30_000 })).rejects.toBeInstanceOf(ConnectionFailed);
  });

  it("a POST whose handler never answers is sent once and times out; a GET is sent again (at most 3 copies)", async () => {
    const r = responder(() => false);
    await r.ready;
    await expect(callOperation(nc, "retry", op("POST"), undefined, { timeout: 1_500 })).rejects.toBeInstanceOf(Timeout);
    expect(r.received()).toBe(1);
    const reasons: AttemptReason[] = [];
    const get = requestWithRetry(nc, SUBJECT, payload, {
      timeoutMs: 6_000,
      idempotent: true,
      patienceMs: 100,
      onAttempt: (_n, reason) => reasons.push(reason),
    });
    await expect(get).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(reasons).toEqual(["first", "unanswered", "unanswered"]);
    expect(r.received()).toBe(4);
    r.stop();
  });

  it("an operation marked x-symphony-idempotent is retried although it is a POST", async () => {
    const r = responder((n) => n > 1); // the first copy is lost, as on an instance killed mid-request
    await r.ready;
    const res = await callOperation(nc, "retry", op("POST", { idempotent: true }), undefined, { timeout: 10_000 });
    expect(res.body).toEqual({ n: 2 });
    r.stop();
  });

  it("a slow handler keeps the whole timeout: the first copy's late reply is taken", async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    // Only the first copy is answered, once the second has arrived (i.e. after the patience ran out).
    const r = responder(async (n) => {
      if (n === 2) release();
      if (n !== 1) return false;
      await slow;
      return true;
    });
    await r.ready;
    const msg = await requestWithRetry(nc, SUBJECT, payload, { timeoutMs: 30_000, idempotent: true, patienceMs: 50 });
    expect(JSON.parse(new TextDecoder().decode(msg.data))).toEqual({ n: 1 });
    r.stop();
  });

  it("giveUp ends the retries on no responders at once", async () => {
    const reasons: AttemptReason[] = [];
    const call = requestWithRetry(nc, SUBJECT, payload, {
      timeoutMs: 30_000,
      idempotent: true,
      giveUp: () => true,
      onAttempt: (_n, reason) => reasons.push(reason),
    });
    await expect(call).rejects.toMatchObject({ code: "503" });
    expect(reasons).toEqual(["first"]);
  });

  it("a closed connection is final: no retries", async () => {
    const other = await connect({ servers: server.url });
    await other.close();
    await expect(requestWithRetry(other, SUBJECT, payload, { timeoutMs: 30_000, idempotent: true })).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
  });
});

describe("the generator marks x-symphony-idempotent operations", () => {
  it("operations.ts carries `idempotent` (a row's last member, true) for the marked operation only", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "retry-spec-"));
    const file = path.join(dir, "openapi.yaml");
    const pets = readFileSync(path.join(ROOT, "examples/petstore/openapi.yaml"), "utf8");
    writeFileSync(file, pets.replace(/(\n {4}post:\n)/, "$1      x-symphony-idempotent: true\n"));
    const { files } = await emitFiles(buildModel(await loadSpec(file)));
    const table = files.find((f) => f.name === "operations.ts")!.content;
    const rows = table
      .slice(table.indexOf("rt.operationRows(["))
      .split(/\n {2}\[/)
      .slice(1);
    const marked = rows.filter((row) => /\btrue,?\s*\],?\s*(?:\]\);)?\s*$/.test(row));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/^\s*"addPet",/);
  });
});

describe("faults with real processes (shortened npm run faults)", () => {
  it("a nats-server restart mid-load: 0 of 300 idempotent requests fail through the typed client; no POST runs twice", async () => {
    const result = await runFaults({ fault: "restart", requests: 300, durationMs: 5_000, faultAtMs: 2_500, postEvery: 10, paths: ["client"] });
    const [client] = result.paths;
    expect(client).toMatchObject({ via: "client", sent: 300, ok: 300, failed: 0, failures: {} });
    expect(result.duplicatePosts).toEqual([]);
    expect(result.postsExecuted).toBeGreaterThanOrEqual(client!.posts.acknowledged);
  }, 180_000);

  it("kill -9 of one of two instances mid-load: 0 of 300 idempotent requests fail, typed client and gateway; no POST runs twice", async () => {
    const result = await runFaults({
      fault: "kill",
      requests: 300,
      durationMs: 5_000,
      faultAtMs: 2_500,
      postEvery: 10,
      paths: ["client", "gateway"],
      handlerDelayMs: 100,
    });
    for (const p of result.paths) expect(p).toMatchObject({ sent: 300, ok: 300, failed: 0, failures: {} });
    expect(result.duplicatePosts).toEqual([]);
    expect(result.postsExecuted).toBeGreaterThanOrEqual(result.paths.reduce((n, p) => n + p.posts.acknowledged, 0));
  }, 180_000);
});
