/**
 * An extension process under NATS outages, as a supervisor sees it (issue 13): the petstore
 * example runs as a child process (tsx src/main.ts, NATS_URL) against a real nats-server that
 * the test stops and restarts. Outages longer than nats.js's default reconnect budget (~21 s)
 * end in serving again, SIGTERM ends the process within the shutdown deadline even with NATS
 * gone, and a closed connection is a failure (exit 1), never a quiet exit 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { Extension, InvalidToken } from "@symphony-codegen/runtime";
import { freePort, startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { ROOT } from "./helpers/specs.js";

const MAIN = path.join(ROOT, "examples/petstore/src/main.ts");
const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Child {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startExample(env: Record<string, string>): Child {
  const base = { ...process.env };
  for (const k of ["NATS_URL", "SYMPHONY_TOKEN", "REGISTRATION_TOKEN", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) delete base[k];
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], { cwd: ROOT, env: { ...base, SYMPHONY_LOG_LEVEL: "debug", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const line of parts) if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { process: child, lines, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One findPets round trip over NATS, as a client in another process would make it. */
async function findPets(url: string): Promise<number | "failed"> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    const envelope = { method: "GET", url: "/pets", path: "/pets", headers: {}, path_params: {}, query_params: {} };
    const msg = await nc.request("cirata.extensions.petstore.findPets", JSON.stringify(envelope), { timeout: 2_000 });
    return (JSON.parse(new TextDecoder().decode(msg.data)) as { statuscode: number }).statuscode;
  } catch {
    return "failed";
  } finally {
    await nc.close();
  }
}

async function restartableServer(): Promise<{ current: () => NatsServer; stop: () => Promise<void>; start: () => Promise<void> }> {
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), "lifecycle-store-"));
  let server: NatsServer | undefined = await startNatsServer({ port, storeDir });
  const handle = {
    current: () => server!,
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    start: async () => {
      server = await startNatsServer({ port, storeDir });
    },
  };
  cleanup.push(() => handle.stop());
  return handle;
}

const hasLine = (child: Child, message: string) => child.lines.some((l) => l.message === message);

describe("extension lifecycle under NATS outages", () => {
  it("keeps reconnecting through a 25 s outage (longer than nats.js's default budget), then serves again", async () => {
    const nats = await restartableServer();
    const url = nats.current().url;
    const child = startExample({ NATS_URL: url });
    await until("the extension to run", () => hasLine(child, "extension running"));
    expect(await findPets(url)).toBe(200);

    await nats.stop();
    await new Promise((r) => setTimeout(r, 25_000));
    expect(child.process.exitCode).toBeNull(); // still running, not exit 0 after ~21 s
    await nats.start();
    await until("a reply after the outage", async () => (await findPets(url)) === 200, 30_000);

    const reconnected = child.lines.find((l) => l.message === "reconnected to NATS");
    expect(reconnected).toMatchObject({ attempts: expect.any(Number), downMs: expect.any(Number) });
    expect(reconnected!.attempts as number).toBeGreaterThan(10);
    expect(child.lines.filter((l) => l.message === "still reconnecting to NATS").length).toBeGreaterThan(0);

    child.process.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.lines.find((l) => l.message === "extension stopped")).toMatchObject({ drained: true });
  }, 120_000);

  it("ends within the shutdown deadline on SIGTERM while NATS is unreachable", async () => {
    const nats = await restartableServer();
    const child = startExample({ NATS_URL: nats.current().url });
    await until("the extension to run", () => hasLine(child, "extension running"));
    await nats.stop();
    await until("the disconnect to be noticed", () => hasLine(child, "disconnected from NATS; reconnecting"));

    child.process.kill("SIGTERM");
    // Before, the process was still running 15 s after SIGTERM (drain waits on a connection that never comes back).
    expect(await child.exited).toBe(0);
    expect(child.lines.find((l) => l.message === "signal received, draining")).toMatchObject({ deadlineMs: 10_000 });
    expect(child.lines.find((l) => l.message === "extension stopped")).toMatchObject({ ms: expect.any(Number) });
  }, 60_000);

  it("closes at the shutdown deadline when in-flight work never finishes", async () => {
    const nats = await restartableServer();
    const ext = new Extension("Stuck", "stuck").withNatsUrl(nats.current().url).withShutdownTimeout(300);
    const logged: [string, Record<string, unknown> | undefined][] = [];
    ext.log.warn = (message: string, fields?: Record<string, unknown>) => void logged.push([message, fields]);
    const run = ext.run();
    await ext.ready();
    void ext.track(new Promise(() => {})); // a request that never completes
    ext.stop();
    await run;
    expect(ext.conn()!.isClosed()).toBe(true);
    expect(logged).toContainEqual(["shutdown deadline passed; closing the connection", { deadlineMs: 300, inFlight: 1 }]);
  });

  it("fails (ConnectionFailed, so runMain exits 1) when the connection closes for good", async () => {
    const nats = await restartableServer();
    // A reconnect budget the user chose; without one it reconnects forever (above).
    const ext = new Extension("Budget", "budget").withNatsUrl(nats.current().url, { maxReconnectAttempts: 1, reconnectTimeWait: 100 });
    const run = ext.run();
    await ext.ready();
    await nats.stop();
    await expect(run).rejects.toMatchObject({ name: "ConnectionFailed", message: expect.stringMatching(/^NATS connection closed/) });
  }, 30_000);
});

describe("token precedence", () => {
  it("an explicit token wins over NATS_URL (which is only the development path), with a warning", async () => {
    const nats = await restartableServer();
    const saved = process.env.NATS_URL;
    process.env.NATS_URL = nats.current().url;
    cleanup.push(() => (saved === undefined ? delete process.env.NATS_URL : (process.env.NATS_URL = saved)));
    const warnings: string[] = [];
    const ext = new Extension("Token", "token").withToken("sym_not-a-real-token");
    ext.log.warn = (message: string) => void warnings.push(message);
    // The token path is taken: the malformed token is refused, NATS_URL's server is never used.
    await expect(ext.connect()).rejects.toBeInstanceOf(InvalidToken);
    expect(ext.conn()).toBeUndefined();
    expect(warnings).toContain("NATS_URL is ignored: a token was given (withToken), which connects through the platform");
  });
});
