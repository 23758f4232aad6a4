/**
 * Fault injection with real processes (issue 13): a nats-server, two petstore instances
 * (test/helpers/counting-petstore.ts) and optionally `symphony-codegen dev --nats` as the gateway.
 * Idempotent requests (findPets / findPetById) and POSTs (addPet) go at a steady rate through the
 * typed client and through the gateway while the nats-server is restarted (same port and store) or
 * one instance is killed with SIGKILL. Used by scripts/faults.ts (full size) and
 * test/retry.e2e.test.ts (shortened).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { RECONNECT_FOREVER } from "@symphony-codegen/runtime";
import { createClient } from "../../examples/petstore/src/generated/client.js";
import { freePort, startNatsServer, type NatsServer } from "../../dev/nats-server.js";
import { ROOT, startCli, until, type DevProcess } from "./dev-cli.js";
import { startExample } from "./example-process.js";

const INSTANCE_MAIN = path.join(ROOT, "test/helpers/counting-petstore.ts");

export type Fault = "restart" | "kill";
export type Via = "client" | "gateway";

export interface FaultOptions {
  fault: Fault;
  /** Idempotent requests per path. */
  requests: number;
  durationMs: number;
  /** When the fault happens, from the start of the load. */
  faultAtMs: number;
  /** One POST per this many idempotent requests. */
  postEvery: number;
  paths: Via[];
  /** How long each handler works (default 50 ms): requests are in flight on an instance when it is killed. */
  handlerDelayMs?: number;
  /** Progress lines (the script prints them). */
  log?: (line: string) => void;
}

export interface PathResult {
  via: Via;
  sent: number;
  ok: number;
  failed: number;
  /** Failure kind (error class or HTTP status) → count. */
  failures: Record<string, number>;
  posts: { sent: number; acknowledged: number; failed: number };
}

export interface FaultResult {
  fault: Fault;
  paths: PathResult[];
  /** addPet executions the instances printed, and names executed more than once (must be none). */
  postsExecuted: number;
  duplicatePosts: string[];
}

export interface Instance {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<unknown>;
}

/** A counting petstore process (test/helpers/counting-petstore.ts); `extraEnv` sets its LOG_READS / KV_BUCKET. */
export function startInstance(natsUrl: string, handlerDelayMs: number, extraEnv: Record<string, string> = {}): Instance {
  const instance = startExample({ NATS_URL: natsUrl, SYMPHONY_LOG_LEVEL: "info", HANDLER_DELAY_MS: String(handlerDelayMs), ...extraEnv }, INSTANCE_MAIN);
  return { child: instance.process, lines: instance.lines, exited: instance.exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kindOf = (err: unknown) => (err as Error)?.constructor?.name ?? String(err);

/** One path's load: `requests` idempotent calls and a POST every `postEvery`, spread evenly over `durationMs`. */
async function load(via: Via, send: Sender, options: FaultOptions, t0: number): Promise<PathResult> {
  const result: PathResult = { via, sent: 0, ok: 0, failed: 0, failures: {}, posts: { sent: 0, acknowledged: 0, failed: 0 } };
  const fail = (kind: string) => (result.failures[kind] = (result.failures[kind] ?? 0) + 1);
  const calls: Promise<unknown>[] = [];
  const interval = options.durationMs / options.requests;
  for (let i = 0; i < options.requests; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    result.sent++;
    calls.push(
      send.read(i).then(
        (status) => (status === 200 ? result.ok++ : (result.failed++, fail(`HTTP ${status}`))),
        (err: unknown) => (result.failed++, fail(kindOf(err))),
      ),
    );
    if (i % options.postEvery === options.postEvery - 1) {
      result.posts.sent++;
      calls.push(
        send.create(`${via}-${options.fault}-${i}`).then(
          (status) => (status === 201 ? result.posts.acknowledged++ : result.posts.failed++),
          () => result.posts.failed++,
        ),
      );
    }
  }
  await Promise.all(calls);
  return result;
}

interface Sender {
  /** An idempotent request (findPets, findPetById alternately): its status. */
  read(i: number): Promise<number>;
  /** addPet with this name: its status. */
  create(name: string): Promise<number>;
}

function clientSender(nc: NatsConnection): Sender {
  const client = createClient(nc, "petstore");
  return {
    read: async (i) => (i % 2 ? await client.findPetById({ path: { id: 1 } }) : await client.findPets({})).status,
    create: async (name) => (await client.addPet({ body: { name } })).status,
  };
}

function gatewaySender(httpUrl: string): Sender {
  const api = `${httpUrl}/api/petstore`;
  const status = async (res: Promise<Response>) => {
    const r = await res;
    const text = await r.text();
    if (r.status >= 500 && process.env.FAULTS_DEBUG) console.log(r.status, text); // why it failed
    return r.status;
  };
  return {
    read: (i) => status(fetch(i % 2 ? `${api}/pets/1` : `${api}/pets`)),
    create: (name) => status(fetch(`${api}/pets`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) })),
  };
}

/** Runs one scenario end to end and stops everything it started. */
export async function runFaults(options: FaultOptions): Promise<FaultResult> {
  const log = options.log ?? (() => {});
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), "faults-store-"));
  let nats: NatsServer | undefined = await startNatsServer({ port, storeDir });
  const instances: Instance[] = [];
  let dev: DevProcess | undefined;
  let nc: NatsConnection | undefined;
  try {
    const delay = options.handlerDelayMs ?? 50;
    instances.push(startInstance(nats.url, delay), startInstance(nats.url, delay));
    for (const instance of instances) await until("a petstore instance to run", () => instance.lines.some((l) => l.message === "extension running"), 60_000);
    const senders: [Via, Sender][] = [];
    if (options.paths.includes("client")) {
      nc = await connect({ servers: nats.url, name: "faults-client", ...RECONNECT_FOREVER });
      senders.push(["client", clientSender(nc)]);
    }
    if (options.paths.includes("gateway")) {
      dev = startCli(["--port", "0", "--nats", nats.url]);
      const banner = await until("the dev banner", () => /web page \+ REST gateway: (http:\/\/\S+)\//.exec(dev!.stdout()), 60_000);
      const sender = gatewaySender(banner[1]!);
      for (const deadline = Date.now() + 30_000; (await sender.read(0).catch(() => 0)) !== 200; await sleep(100)) {
        if (Date.now() > deadline) throw new Error("the gateway never served petstore");
      }
      senders.push(["gateway", sender]);
    }
    log(`load: ${options.requests} idempotent requests per path over ${options.durationMs} ms; ${options.fault} at ${options.faultAtMs} ms`);
    const t0 = performance.now();
    const fault = (async () => {
      await sleep(options.faultAtMs);
      if (options.fault === "kill") {
        instances[0]!.child.kill("SIGKILL");
        log(`killed instance pid ${instances[0]!.child.pid} (SIGKILL)`);
        return;
      }
      const before = performance.now();
      await nats!.stop();
      nats = undefined;
      nats = await startNatsServer({ port, storeDir });
      log(`nats-server restarted on port ${port} in ${Math.round(performance.now() - before)} ms`);
    })();
    const paths = await Promise.all(senders.map(([via, sender]) => load(via, sender, options, t0)));
    await fault;
    await sleep(300); // the instances' last lines
    const executed = instances.flatMap((i) => i.lines.filter((l) => l.message === "addPet received").map((l) => String(l.name)));
    const seen = new Set<string>();
    const duplicatePosts = [...new Set(executed.filter((name) => seen.has(name) || !seen.add(name)))];
    return { fault: options.fault, paths, postsExecuted: executed.length, duplicatePosts };
  } finally {
    await nc?.close().catch(() => {});
    if (dev && dev.child.exitCode === null) {
      process.kill(-dev.pid, "SIGTERM");
      await Promise.race([dev.exited, sleep(10_000)]);
    }
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill("SIGTERM");
    await Promise.race([Promise.all(instances.map((i) => i.exited)), sleep(15_000)]);
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill("SIGKILL");
    await nats?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

/** The results as a markdown table (docs/reliability.md). */
export function faultTable(results: FaultResult[]): string {
  const rows = [
    "| fault | path | idempotent sent | ok | failed | POST sent | POST acknowledged | POST failed | POST executed twice |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    for (const p of r.paths) {
      const kinds = Object.entries(p.failures).map(([k, n]) => `${n} ${k}`);
      rows.push(
        `| ${r.fault === "restart" ? "nats-server restart" : "kill -9 of 1 of 2 instances"} | ${p.via} | ${p.sent} | ${p.ok} | ${p.failed}${kinds.length ? ` (${kinds.join(", ")})` : ""} | ${p.posts.sent} | ${p.posts.acknowledged} | ${p.posts.failed} | ${r.duplicatePosts.length} |`,
      );
    }
  }
  return rows.join("\n");
}
