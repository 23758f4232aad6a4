/**
 * `symphony-codegen dev --run "<command>"`: the extension under development, started once the
 * local platform is up, with the environment the banner tells a user to set (SYMPHONY_TOKEN,
 * SYMPHONY_DEV=1, NATS_URL), its output passed through, and stopped with the platform. It runs in
 * its own process group so that stopping it stops what its shell started (e.g. `tsx watch`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { signalExitCode } from "./signals.js";

export interface RunningCommand {
  /** Resolves with the command's exit code (or 128 + signal number) when it ends. */
  exited: Promise<number>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function runCommand(command: string, env: Record<string, string>, cwd = process.cwd()): RunningCommand {
  const child: ChildProcess = spawn(command, { cwd, shell: true, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env }, detached: true });
  const exited = new Promise<number>((resolve) => {
    child.once("error", () => resolve(127));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? signalExitCode(signal) : 128)));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If this process dies first, its children must not outlive it.
  const onExit = () => signalGroup("SIGKILL");
  process.once("exit", onExit);
  void exited.then(() => process.removeListener("exit", onExit));
  return {
    exited,
    async stop(graceMs = 2_000) {
      signalGroup("SIGTERM");
      const timer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // The shell may be gone while what it started (a watcher's child) is not.
      signalGroup("SIGKILL");
    },
  };
}
