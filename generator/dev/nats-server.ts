/**
 * Starts a real nats-server (JetStream on, temp or given store) on a loopback port,
 * as a child process: used by `symphony-codegen dev`, the tests and the benchmarks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface NatsServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface NatsServerOptions {
  jetstream?: boolean;
  /** JetStream store directory; a temp directory (removed on stop) when absent. */
  storeDir?: string;
  port?: number;
  /**
   * nats-server configuration text (e.g. operator-mode authentication from
   * generator/dev/auth.ts), written to a private temp file and passed with `-c`;
   * the listen address, port and JetStream flags above still apply.
   */
  config?: string;
  args?: string[];
}

/** Servers not stopped yet: killed when this process exits, so none outlives it (a test worker, `dev`). */
const running = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const store = options.storeDir ?? mkdtempSync(path.join(tmpdir(), "nats-store-"));
  let configDir: string | undefined;
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    configDir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
    const file = path.join(configDir, "nats-server.conf");
    writeFileSync(file, options.config, { mode: 0o600 });
    configArgs.push("-c", file);
  }
  const args = [...configArgs, "-a", "127.0.0.1", "-p", String(port), ...(options.jetstream === false ? [] : ["-js", "-sd", store]), ...(options.args ?? [])];
  const child: ChildProcess = spawn("nats-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Server is ready")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (err) =>
      reject(new Error(`could not start nats-server (${(err as NodeJS.ErrnoException).code}): install it (Debian/Ubuntu: apt-get install -y nats-server; elsewhere see https://docs.nats.io) or pass --nats <url>`)),
    );
    child.once("exit", (code) => reject(new Error(`nats-server exited with ${code}: ${output}`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    await ready;
  } catch (err) {
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    throw err;
  } finally {
    clearTimeout(timeout);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (!options.storeDir) rmSync(store, { recursive: true, force: true });
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}
