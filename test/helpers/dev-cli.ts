/**
 * `symphony-codegen dev` started through the CLI as a child process (`node bin/symphony-codegen.js dev`),
 * as users meet it: its banner, its structured log, its nats-server; `killStarted()` in an
 * `afterAll` makes sure nothing a failed test started outlives the file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(ROOT, "bin", "symphony-codegen.js");

export type LogRecord = Record<string, unknown> & { message?: string };
export type Exit = { code: number | null; signal: NodeJS.Signals | null; at: number };

export interface DevProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  records(): LogRecord[];
  /** Settles when the process exited: its exit code (null when a signal ended it), the signal, when. */
  exited: Promise<Exit>;
}

const started: DevProcess[] = [];

/**
 * Starts the CLI in its own process group, as a shell starts a foreground job: a signal sent to
 * `-pid` reaches every process of that group, as a terminal's Ctrl-C does.
 */
export function startCli(args: string[]): DevProcess {
  return startCommand(["dev", ...args]);
}

/** Any CLI command (`["mock", spec, ...]`) started as `startCli` starts `dev`. */
export function startCommand(argv: string[]): DevProcess {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SYMPHONY_LOG_LEVEL: "info" },
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, at: performance.now() })));
  const dev: DevProcess = {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    records: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as LogRecord),
    exited,
  };
  started.push(dev);
  return dev;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (sync or async) until it returns something truthy. */
export async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** `exited`, or "hung" after `ms`. */
export const exitWithin = (dev: DevProcess, ms: number) => Promise.race([dev.exited, sleep(ms).then(() => "hung" as const)]);

export interface Running {
  dev: DevProcess;
  httpUrl: string;
  natsUrl: string;
  /** The started nats-server: its pid and temp store, from the "nats-server started" log record. */
  nats: { pid: number; store: string };
}

/** Starts `dev --port 0` (plus `args`) and waits for its banner. */
export async function startDev(args: string[] = []): Promise<Running> {
  const dev = startCli(["--port", "0", ...args]);
  const banner = await Promise.race([
    until("the banner", () => /web page \+ REST gateway: (http:\/\/\S+)\/ .*\n\s+NATS:\s+(nats:\/\/\S+)/.exec(dev.stdout())),
    dev.exited.then((e): never => {
      throw new Error(`dev exited (${e.code ?? e.signal}) before its banner: ${dev.stderr()}`);
    }),
  ]);
  const record = dev.records().find((r) => r.message === "nats-server started") as { pid: number; store: string } | undefined;
  if (!record) throw new Error("no nats-server started record");
  return { dev, httpUrl: banner[1]!, natsUrl: banner[2]!, nats: { pid: record.pid, store: record.store } };
}

/** True while `pid` runs `nats-server` (a zombie, gone, or another program: false). Linux /proc. */
export function natsServerRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("nats-server");
  } catch {
    return false;
  }
}

/** The process group of `pid` (Linux /proc). */
export function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** Waits until the nats-server is gone and its temp store removed; how long that took (ms). */
export async function leftNothing(nats: { pid: number; store: string }, ms = 5_000): Promise<number> {
  const t0 = performance.now();
  await until(`nats-server ${nats.pid} to stop and ${nats.store} to be removed`, () => !natsServerRunning(nats.pid) && !existsSync(nats.store), ms);
  return performance.now() - t0;
}

/** Kills every dev process this file started that is still running (with its process group). */
export function killStarted(): void {
  for (const dev of started.splice(0)) {
    if (dev.child.exitCode === null && dev.child.signalCode === null) {
      try {
        process.kill(-dev.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
}
