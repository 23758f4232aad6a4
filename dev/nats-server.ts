/**
 * Starts a real nats-server (JetStream on, temp or given store) on a loopback port,
 * as a child process: used by `symphony-codegen dev`, the tests and the benchmarks.
 *
 * Nothing it starts outlives the process that started it:
 * - the server runs in its own process group (`detached`), so a terminal's Ctrl-C (SIGINT to
 *   the foreground group) reaches only the parent, which stops the server itself, in order;
 * - `stop()` is bounded: SIGTERM, then SIGKILL to the group if it has not exited in time;
 * - on the parent's `exit` (a normal end, `process.exit`, an uncaught exception) every server
 *   not stopped yet is SIGKILLed and its temp directories removed, synchronously;
 * - a watchdog (`sh`, in its own group, reading a pipe from the parent) sees the pipe close when
 *   the parent dies in a way that runs no code at all (SIGKILL, OOM killer) and then kills the
 *   server's group and removes its temp directories.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface NatsServer {
  url: string;
  port: number;
  /** The nats-server process id (also its process group id, except on Windows). */
  pid: number;
  /** The JetStream store directory (a temp directory removed on stop unless `storeDir` was given). */
  storeDir: string;
  /** Resolves with the exit code (or signal) once the process has ended, whoever ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
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
   * dev/auth.ts), written to a private temp file and passed with `-c`;
   * the listen address, port and JetStream flags above still apply.
   */
  config?: string;
  args?: string[];
}

/** How long `stop()` waits after SIGTERM before SIGKILL (nats-server with JetStream exits in ~15 ms). */
const TERM_GRACE_MS = 500;
const GROUPS = process.platform !== "win32";

/** Sends `signal` to the server's process group (its pid alone where there are no groups). */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(GROUPS ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

/** True when `pid` no longer runs (gone, or a zombie not reaped yet). Linux: /proc; elsewhere assumed after a kill. */
function deadSync(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync("/proc/self/stat")) return true;
  try {
    // "pid (comm) S ...": the state follows the last ")".
    const text = readFileSync(stat, "utf8");
    return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Kills the group of `pid` and removes `dirs` when the pipe from this process closes, i.e. when this
 * process has died, however it died. `$1` is the group, the rest the directories. The short sleep lets
 * the kernel finish the SIGKILL before the store is removed.
 */
const WATCHDOG = 'read -r _ignored; kill -KILL -"$1" 2>/dev/null; shift; sleep 0.1; [ "$#" -gt 0 ] && rm -rf -- "$@"; exit 0';

function startWatchdog(pid: number, dirs: string[]): ChildProcess | undefined {
  if (!GROUPS) return undefined;
  const watchdog = spawn("sh", ["-c", WATCHDOG, "symphony-nats-watchdog", String(pid), ...dirs], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  watchdog.on("error", () => {}); // no sh: no watchdog; the exit hook still applies
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  return watchdog;
}

interface Tracked {
  child: ChildProcess;
  watchdog?: ChildProcess;
  /** Temp directories to remove once the server is gone. */
  dirs: string[];
}

/** Servers not stopped yet: killed (and their temp directories removed) when this process exits. */
const running = new Set<Tracked>();
let exitHook = false;
function track(tracked: Tracked): void {
  running.add(tracked);
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const t of running) {
      t.watchdog?.kill("SIGKILL");
      signalGroup(t.child.pid, "SIGKILL");
    }
    for (const t of running) {
      const deadline = Date.now() + 300;
      while (t.child.pid !== undefined && !deadSync(t.child.pid) && Date.now() < deadline) sleepSync(5);
      for (const dir of t.dirs) rmSync(dir, { recursive: true, force: true });
    }
    running.clear();
  });
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once `child` exited, or false after `ms`. */
function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exited(child)), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const store = options.storeDir ?? mkdtempSync(path.join(tmpdir(), "nats-store-"));
  const dirs = options.storeDir ? [] : [store];
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const configDir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
    dirs.push(configDir);
    const file = path.join(configDir, "nats-server.conf");
    writeFileSync(file, options.config, { mode: 0o600 });
    configArgs.push("-c", file);
  }
  const removeDirs = () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  const args = [...configArgs, "-a", "127.0.0.1", "-p", String(port), ...(options.jetstream === false ? [] : ["-js", "-sd", store]), ...(options.args ?? [])];
  const child: ChildProcess = spawn("nats-server", args, { stdio: ["ignore", "pipe", "pipe"], detached: GROUPS });
  const tracked: Tracked = { child, dirs };
  track(tracked);
  if (child.pid !== undefined) tracked.watchdog = startWatchdog(child.pid, dirs);
  /** Stops the server (bounded), then the watchdog, then removes the temp directories. */
  const stop = async () => {
    if (child.pid !== undefined && !exited(child)) {
      signalGroup(child.pid, "SIGTERM");
      if (!(await waitExit(child, TERM_GRACE_MS))) {
        signalGroup(child.pid, "SIGKILL");
        await waitExit(child, 1000);
      }
    }
    tracked.watchdog?.kill("SIGKILL");
    tracked.watchdog?.stdin?.destroy();
    removeDirs();
    running.delete(tracked);
  };
  let output = "";
  let started = false;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (started) return; // keep draining the pipes, keep nothing
      output += chunk.toString();
      if (output.includes("Server is ready")) {
        started = true;
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (err) =>
      reject(new Error(`could not start nats-server (${(err as NodeJS.ErrnoException).code}): install it (Debian/Ubuntu: apt-get install -y nats-server; elsewhere see https://docs.nats.io) or pass --nats <url>`)),
    );
    child.once("exit", (code) => reject(new Error(`nats-server exited with ${code}: ${output}`)));
  });
  const timeout = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 10_000);
  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timeout);
  }
  const ended = new Promise<number | NodeJS.Signals | null>((resolve) => {
    if (exited(child)) resolve(child.exitCode ?? child.signalCode);
    else child.once("exit", (code, signal) => resolve(code ?? signal));
  });
  return { url: `nats://127.0.0.1:${port}`, port, pid: child.pid!, storeDir: store, exited: ended, stop };
}
