/**
 * An extension process under NATS outages, as a supervisor sees it (issue 13): the petstore
 * example runs as a child process (tsx src/main.ts, NATS_URL) against a real nats-server that
 * the test stops and restarts. Outages longer than nats.js's default reconnect budget (~21 s)
 * end in serving again, SIGTERM ends the process within the shutdown deadline even with NATS
 * gone, and a closed connection is a failure (exit 1), never a quiet exit 0.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Extension, InvalidToken } from "@symphony-codegen/runtime";
import { findPets, restartableNats, startExample, until, type ExampleProcess, type RestartableNats } from "./helpers/example-process.js";

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function startChild(env: Record<string, string>): ExampleProcess {
  const child = startExample(env);
  cleanup.push(() => child.kill());
  return child;
}

async function restartableServer(): Promise<RestartableNats> {
  const handle = await restartableNats();
  cleanup.push(() => handle.stop());
  return handle;
}

describe("extension lifecycle under NATS outages", () => {
  it("keeps reconnecting through a 25 s outage (longer than nats.js's default budget), then serves again", async () => {
    const nats = await restartableServer();
    const url = nats.current().url;
    const child = startChild({ NATS_URL: url });
    await until("the extension to run", () => child.hasLine("extension running"), 30_000);
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
    const child = startChild({ NATS_URL: nats.current().url });
    await until("the extension to run", () => child.hasLine("extension running"), 30_000);
    await nats.stop();
    await until("the disconnect to be noticed", () => child.hasLine("disconnected from NATS; reconnecting"));

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
