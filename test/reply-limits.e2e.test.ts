/**
 * Replies and requests against NATS's max_payload (docs/protocol.md, Replies): every request gets
 * one reply, a reply too large to carry becomes a 502 problem naming both sizes, the service's
 * memory stays bounded under a flood of near-limit replies, and the limit is the connected
 * server's (a nats-server with `max_payload: 65536` moves every figure). The service is the
 * petstore example in a process of its own (test/helpers/sized-petstore.ts), so its memory can be read.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PayloadTooLarge, REPLY_TOO_LARGE } from "@symphony-codegen/runtime";
import { createClient } from "../examples/petstore/src/generated/index.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SERVICE = path.join(ROOT, "test/helpers/sized-petstore.ts");
const BIN = path.join(ROOT, "bin/symphony-codegen.js");
const SMALL_LIMIT = 65536;
/** Pets 100…103: replies of limit-16, limit, limit+1 and limit+16 bytes. */
const OFFSETS = [-16, 0, 1, 16];
const PET = { under: 100, exact: 101, overByOne: 102, over: 103 } as const;
/** Generous: a flood must be answered, not fast (machine speed is no test criterion). */
const FLOOD_TIMEOUT_MS = 300_000;

interface Child {
  child: ChildProcess;
  out(): string;
  exited: Promise<unknown>;
}

const children: Child[] = [];
const servers: NatsServer[] = [];
const connections: NatsConnection[] = [];

function start(command: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, command, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SYMPHONY_LOG_LEVEL: "info", ...env } });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const started: Child = { child, out: () => out, exited: new Promise((r) => child.once("exit", r)) };
  children.push(started);
  return started;
}

async function waitFor(what: string, running: Child, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(running.out());
    if (match) return match;
    if (running.child.exitCode !== null) throw new Error(`exited before ${what}:\n${running.out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A nats-server (with `config`), the sized petstore served on it, and a client connection. */
async function platform(config = "") {
  const server = await startNatsServer({ config });
  servers.push(server);
  const service = start(["--import", "tsx", SERVICE], { NATS_URL: server.url, PET_REPLY_OFFSETS: OFFSETS.join(",") });
  const seeded = await waitFor("seeding", service, /"message":"sized pets seeded".*?"maxPayload":(\d+)/);
  const nc = await connect({ servers: server.url });
  connections.push(nc);
  return { server, service, nc, limit: Number(seeded[1]) };
}

interface Reply {
  bytes: number;
  statuscode: number;
  contenttype: string;
  body: any;
}

async function call(nc: NatsConnection, endpoint: string, envelope: Record<string, unknown>, timeout = 30_000): Promise<Reply> {
  const request = JSON.stringify({ headers: {}, path_params: {}, query_params: {}, ...envelope });
  const msg = await nc.request(`cirata.extensions.petstore.${endpoint}`, request, { timeout });
  return { bytes: msg.data.length, ...JSON.parse(new TextDecoder().decode(msg.data)) };
}

const findPetById = (nc: NatsConnection, id: number, timeout?: number) =>
  call(nc, "findPetById", { method: "GET", path: `/pets/${id}`, path_params: { id: String(id) } }, timeout);

/** A process's resident memory in MB: now (VmRSS) or its peak so far (VmHWM). Linux /proc. */
function memoryMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(field + ":"))!;
  return Number(/(\d+) kB/.exec(line)![1]) / 1024;
}

function expectTooLarge(reply: Reply, bytes: number, limit: number) {
  expect(reply.statuscode).toBe(502);
  expect(reply.contenttype).toBe("application/problem+json");
  expect(reply.body).toMatchObject({ type: REPLY_TOO_LARGE, status: 502, replyBytes: bytes, maxPayload: limit });
  expect(reply.body.detail).toContain(`${bytes} bytes`);
  expect(reply.body.detail).toContain(`max_payload is ${limit} bytes`);
}

let main: Awaited<ReturnType<typeof platform>>;

beforeAll(async () => {
  main = await platform();
});

afterAll(async () => {
  for (const c of children) c.child.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
  for (const nc of connections) await nc.close();
  for (const s of servers) await s.stop();
});

describe("replies against the server's max_payload (default server)", () => {
  it("a reply of exactly max_payload bytes, and one just under, arrives intact", async () => {
    expect(main.limit).toBe(1024 * 1024);
    for (const [id, offset] of [
      [PET.under, -16],
      [PET.exact, 0],
    ] as const) {
      const reply = await findPetById(main.nc, id);
      expect(reply.statuscode).toBe(200);
      expect(reply.bytes).toBe(main.limit + offset);
      expect(reply.body).toMatchObject({ id, tag: "sized" });
      expect(reply.body.name).toMatch(/^x+$/);
    }
  });

  it("a reply one byte over becomes a 502 problem naming both sizes, logged with the operation; the service keeps serving", async () => {
    expectTooLarge(await findPetById(main.nc, PET.overByOne), main.limit + 1, main.limit);
    expectTooLarge(await findPetById(main.nc, PET.over), main.limit + 16, main.limit);
    const logged = main.service
      .out()
      .split("\n")
      .filter((l) => l.includes('"reply exceeds the NATS max_payload"'))
      .map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({
      level: "error",
      endpoint: "findPetById",
      operation: "findPetById",
      status: 200,
      bytes: main.limit + 1,
      maxPayload: main.limit,
    });
    expect((await findPetById(main.nc, 1)).body).toEqual({ id: 1, name: "Rex", tag: "dog" });
  });

  it("issue 12: three 400 KB pets make findPets a 502 problem, not a timeout; a findPets asking for less still works", async () => {
    for (let i = 0; i < 3; i++) {
      const body = { name: "p".repeat(400_000), tag: "big" };
      const added = await call(main.nc, "addPet", { method: "POST", path: "/pets", headers: { "content-type": "application/json" }, body });
      expect(added.statuscode).toBe(201);
    }
    const all = await call(main.nc, "findPets", { method: "GET", path: "/pets", query_params: { tags: "big" } });
    expect(all.statuscode).toBe(502);
    expect(all.body.type).toBe(REPLY_TOO_LARGE);
    expect(all.body.replyBytes).toBeGreaterThan(1_200_000);
    expect(all.body.detail).toContain("page through the results");
    const paged = await call(main.nc, "findPets", { method: "GET", path: "/pets", query_params: { tags: "big", limit: "2" } });
    expect(paged.statuscode).toBe(200);
    expect(paged.body).toHaveLength(2);
  });

  it("a flood of 200 replies just under and 200 just over the limit: every request answered, the service's memory bounded", async () => {
    const pid = main.service.child.pid!;
    const before = memoryMb(pid, "VmRSS");
    const started = performance.now();
    const ids = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? PET.under : PET.over));
    const results = await Promise.allSettled(ids.map((id) => findPetById(main.nc, id, FLOOD_TIMEOUT_MS)));
    const ms = Math.round(performance.now() - started);
    const answered = results.filter((r): r is PromiseFulfilledResult<Reply> => r.status === "fulfilled").map((r) => r.value);
    const peak = memoryMb(pid, "VmHWM");
    const figures = {
      sent: ids.length,
      answered: answered.length,
      lost: ids.length - answered.length,
      rssBeforeMb: before,
      rssPeakMb: peak,
      rssAfterMb: memoryMb(pid, "VmRSS"),
      ms,
    };
    console.log(
      "reply flood",
      JSON.stringify(figures, (_k, v: unknown) => (typeof v === "number" ? Math.round(v) : v)),
    );
    expect(figures.lost).toBe(0);
    expect(answered.filter((r) => r.statuscode === 200 && r.bytes === main.limit - 16)).toHaveLength(200);
    expect(answered.filter((r) => r.statuscode === 502 && r.body.replyBytes === main.limit + 16)).toHaveLength(200);
    // 200 MB of replies: buffering them all (what the service did before its reply window) peaks
    // well over this; the window keeps ~8 MiB in flight (measured: +75 MB peak for 500 such replies).
    expect(peak - before).toBeLessThan(200);
    expect((await findPetById(main.nc, 1)).statuscode).toBe(200);
  });
});

describe("a nats-server with max_payload: 65536", () => {
  let small: Awaited<ReturnType<typeof platform>>;
  beforeAll(async () => {
    small = await platform(`max_payload: ${SMALL_LIMIT}\n`);
  });

  it("the service reads the limit from the server: replies are sized and refused against 65536", async () => {
    expect(small.limit).toBe(SMALL_LIMIT);
    expect((await findPetById(small.nc, PET.exact)).bytes).toBe(SMALL_LIMIT);
    expectTooLarge(await findPetById(small.nc, PET.overByOne), SMALL_LIMIT + 1, SMALL_LIMIT);
  });

  it("the typed client refuses a request over the limit at once with PayloadTooLarge naming both sizes", async () => {
    const client = createClient(small.nc, "petstore");
    const error = await client.addPet({ body: { name: "x".repeat(SMALL_LIMIT) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLarge);
    const { code, bytes, maxPayload, message } = error as PayloadTooLarge;
    expect({ code, maxPayload }).toEqual({ code: "PAYLOAD_TOO_LARGE", maxPayload: SMALL_LIMIT });
    expect(bytes).toBeGreaterThan(SMALL_LIMIT);
    expect(message).toContain(`is ${bytes} bytes but the NATS server's max_payload is ${SMALL_LIMIT} bytes`);
    // A request that fits still goes through.
    expect((await client.addPet({ body: { name: "y".repeat(1000) } })).status).toBe(201);
  });

  it("the dev gateway on that server (--nats) answers 413 for a body over 65536 and passes the 502 problem on", async () => {
    const dev = start([BIN, "dev", "--port", "0", "--nats", small.server.url], {});
    const [, httpUrl] = await waitFor("the banner", dev, /web page \+ REST gateway: (http:\/\/\S+)\//);
    const post = (bytes: number) =>
      fetch(`${httpUrl}/api/petstore/pets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "z".repeat(bytes) }),
      });
    const refused = await post(SMALL_LIMIT);
    expect(refused.status).toBe(413);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(((await refused.json()) as { detail: string }).detail).toContain(`${SMALL_LIMIT} bytes`);
    expect((await post(SMALL_LIMIT / 2)).status).toBe(201);

    const tooLarge = await fetch(`${httpUrl}/api/petstore/pets/${PET.over}`);
    expect(tooLarge.status).toBe(502);
    expect(tooLarge.headers.get("content-type")).toBe("application/problem+json");
    expect(await tooLarge.json()).toMatchObject({ type: REPLY_TOO_LARGE, replyBytes: SMALL_LIMIT + 16, maxPayload: SMALL_LIMIT });
  });
});
