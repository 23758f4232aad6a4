/**
 * Outages as a supervisor sees them: the petstore example as its own process (`node --import tsx
 * src/main.ts`), a nats-server that can be stopped and started again on the same port and store,
 * and a findPets call from another connection (test/lifecycle.e2e.test.ts, scripts/outages.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "nats";
import { freePort, startNatsServer, type NatsServer } from "./nats-server.js";
import { ROOT } from "./specs.js";

const MAIN = path.join(ROOT, "examples/petstore/src/main.ts");

export interface ExampleProcess {
  process: ChildProcess;
  /** Its structured log lines (stdout), as they arrive. */
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** SIGKILL if still running; resolves once it has exited. */
  kill(): Promise<void>;
  hasLine(message: string): boolean;
}

/** `main`: the example's entry by default; any module that runs an extension the same way (test/helpers/counting-petstore.ts). */
export function startExample(env: Record<string, string>, main = MAIN): ExampleProcess {
  const base = { ...process.env };
  for (const k of ["NATS_URL", "SYMPHONY_TOKEN", "REGISTRATION_TOKEN", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) delete base[k];
  // `--import tsx`, not the tsx CLI: signals reach the extension itself, not a relaying parent.
  const child = spawn(process.execPath, ["--import", "tsx", main], { cwd: ROOT, env: { ...base, SYMPHONY_LOG_LEVEL: "debug", ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
  return {
    process: child,
    lines,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    hasLine: (message) => lines.some((l) => l.message === message),
  };
}

export { until } from "./dev-cli.js";

export interface RestartableNats {
  current(): NatsServer;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A nats-server that `stop()` and `start()` take down and bring back on the same port and JetStream store. */
export async function restartableNats(): Promise<RestartableNats> {
  const port = await freePort();
  const storeDir = mkdtempSync(path.join(tmpdir(), "outage-store-"));
  let server: NatsServer | undefined = await startNatsServer({ port, storeDir });
  return {
    current: () => server!,
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    start: async () => {
      server = await startNatsServer({ port, storeDir });
    },
  };
}

/** One findPets round trip over NATS from a connection of its own: its status, or "failed". */
export async function findPets(url: string): Promise<number | "failed"> {
  try {
    const nc = await connect({ servers: url, reconnect: false });
    try {
      const envelope = { method: "GET", url: "/pets", path: "/pets", headers: {}, path_params: {}, query_params: {} };
      const msg = await nc.request("cirata.extensions.petstore.findPets", JSON.stringify(envelope), { timeout: 2_000 });
      return (JSON.parse(new TextDecoder().decode(msg.data)) as { statuscode: number }).statuscode;
    } finally {
      await nc.close();
    }
  } catch {
    return "failed";
  }
}
