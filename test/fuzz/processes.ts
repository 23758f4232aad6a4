/**
 * The real processes a fuzz run talks to: each example service (`examples/<name>/src/main.ts`) and
 * `symphony-codegen dev` (the gateway) as Node child processes with the probe preloaded, on one
 * nats-server. Each is watched for its RSS (/proc/<pid>/status), its prototypes (probe.ts) and the
 * warnings and errors it logs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProbeReply } from "./probe.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PROBE = path.join(ROOT, "test", "fuzz", "probe.ts");
const STOP_GRACE_MS = 2000;

/** What a process logged at warn or error level, by message. */
export interface LoggedProblem {
  level: string;
  count: number;
  first: Record<string, unknown>;
}

export interface Watched {
  name: string;
  pid: number;
  /** Resident set size in KiB now (undefined once gone). */
  rssKiB(): number | undefined;
  probe(): Promise<ProbeReply | undefined>;
  problems: Map<string, LoggedProblem>;
  stdout(): string;
  /** The last 8 KiB it wrote (a crash's stack trace). */
  tail(): string;
  /** Settles with the exit code or signal once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
  stop(): Promise<void>;
}

/** VmRSS of a process in KiB (Linux /proc); undefined when it is gone or /proc is absent. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Keeps the head of stdout (banners, start-up records) and tallies warn/error records; the rest is drained. */
function watchOutput(child: ChildProcess, problems: Map<string, LoggedProblem>): { head: () => string; tail: () => string } {
  let head = "";
  let tail = "";
  let partial = "";
  const onLine = (line: string) => {
    if (!line.includes('"level":"warn"') && !line.includes('"level":"error"')) return;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      const key = String(record.message);
      const seen = problems.get(key);
      if (seen) seen.count++;
      else
        problems.set(key, {
          level: String(record.level),
          count: 1,
          first: record,
        });
    } catch {
      // not a log record
    }
  };
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    if (head.length < 64 * 1024) head += text;
    tail = (tail + text).slice(-8 * 1024);
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    if (partial.length > 1024 * 1024) partial = "";
    lines.forEach(onLine);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return { head: () => head, tail: () => tail };
}

/** Extra modules to preload after probe.ts (the soak's probe) and extra environment. */
export interface Extra {
  preload?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts `node --import tsx --import probe.ts [--import <preload>…] <args>` in its own process group. */
export function startWatched(name: string, args: string[], env: NodeJS.ProcessEnv = {}, preload: string[] = []): Watched {
  const imports = [PROBE, ...preload].flatMap((p) => ["--import", p]);
  const child = spawn(process.execPath, ["--import", "tsx", ...imports, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ...env },
  });
  live.add(child);
  const problems = new Map<string, LoggedProblem>();
  const { head: stdout, tail } = watchOutput(child, problems);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once("exit", (code, signal) => (live.delete(child), resolve(code ?? signal))));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    pid: child.pid!,
    rssKiB: () => rssKiB(child.pid!),
    problems,
    stdout,
    tail,
    exited,
    probe: () =>
      new Promise((resolve) => {
        if (gone() || !child.connected) return resolve(undefined);
        const timer = setTimeout(() => (child.off("message", onMessage), resolve(undefined)), 5000);
        const onMessage = (message: unknown) => {
          const reply = (message as { probe?: ProbeReply }).probe;
          if (!reply) return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(reply);
        };
        child.on("message", onMessage);
        child.send("probe");
      }),
    async stop() {
      if (gone()) return;
      group("SIGTERM");
      const timer = setTimeout(() => group("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy; fails early when `proc` exits. */
export async function until<T>(what: string, proc: Watched, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  let ended: string | undefined;
  void proc.exited.then((how) => (ended = String(how)));
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (ended !== undefined) throw new Error(`${proc.name} exited (${ended}) before ${what}:\n${proc.stdout().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${proc.stdout().slice(-4000)}`);
    await sleep(50);
  }
}

/**
 * An example service (examples/<name>/src/main.ts) on `natsUrl`, as `npm run example` runs it
 * under dev (SYMPHONY_DEV=1: response bodies are checked against the spec).
 */
export async function startExample(example: string, natsUrl: string, extra: Extra = {}): Promise<Watched> {
  const env = {
    NATS_URL: natsUrl,
    SYMPHONY_DEV: "1",
    SYMPHONY_LOG_LEVEL: "info",
    ...extra.env,
  };
  const proc = startWatched(example, [path.join("examples", example, "src", "main.ts")], env, extra.preload);
  await until(`${example} to run`, proc, () => proc.stdout().includes('"message":"extension running"'));
  return proc;
}

/** `symphony-codegen dev --nats <url> --port 0` (the CLI, as users start it), once it printed its HTTP address. */
export async function startGateway(natsUrl: string, extra: Extra = {}): Promise<{ proc: Watched; httpUrl: string }> {
  const args = [path.join("bin", "symphony-codegen.js"), "dev", "--nats", natsUrl, "--port", "0"];
  const proc = startWatched("gateway (dev)", args, { SYMPHONY_LOG_LEVEL: "info", ...extra.env }, extra.preload);
  const httpUrl = await until("the dev banner", proc, () => /web page \+ REST gateway: (http:\/\/\S+?)\/? /.exec(proc.stdout())?.[1]);
  return { proc, httpUrl };
}

/** Resolves once the gateway routes every one of `prefixes`. */
export async function waitRouted(proc: Watched, httpUrl: string, prefixes: string[]): Promise<void> {
  await until(`the gateway to route ${prefixes.join(", ")}`, proc, async () => {
    const res = await fetch(`${httpUrl}/_symphony/extensions`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const { services } = (await res.json()) as {
      services: { prefix: string }[];
    };
    return prefixes.every((p) => services.some((s) => s.prefix === p)) || undefined;
  });
}
