/** `symphony-codegen dev`: the local platform (dev/), optionally with the extension under development. */
import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import path from "node:path";
import { runCommand } from "../../dev/run.js";
import { signalExitCode } from "../../dev/signals.js";
import { packageRoot } from "../fingerprint.js";

/** How long the `--run` command gets to drain after SIGTERM before SIGKILL (Ctrl-C stays under a second). */
const EXTENSION_STOP_MS = 500;

/** A word for a POSIX shell (runCommand starts commands through one). */
const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * `symphony-codegen mock <spec>` as a command line, run by the same Node and CLI as this one. `exec`: the
 * shell becomes the mock, so runCommand's SIGTERM reaches it alone and its exit is the mock's (drained), not
 * the shell's (at once, after which runCommand SIGKILLs the group).
 */
function mockCommand(option: string): string {
  // `<spec>=<prefix>`: the prefix the real extension will have, so a UI calls the same routes before and after.
  const [, spec = option, prefix] = /^(.+)=([A-Za-z0-9_-]+)$/.exec(option) ?? [];
  const args = [process.execPath, path.join(packageRoot(), "bin", "symphony-codegen.js"), "mock", path.resolve(spec), ...(prefix ? ["--prefix", prefix] : [])];
  return "exec " + args.map(shellWord).join(" ");
}

/** What stops dev: a terminal's Ctrl-C, a supervisor's stop, a closed terminal. */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function addDevCommand(program: Command, context: CommandContext): void {
  program
    .command("dev")
    .description("Run a local Symphony: nats-server, platform services, REST gateway and web page")
    .option("-p, --port <port>", "HTTP port (0: any free port)", "8080")
    .option("--host <host>", "HTTP address to bind (loopback by default)", "127.0.0.1")
    .option("--nats <url>", "use this NATS server instead of starting nats-server")
    .option("--store <dir>", "JetStream store directory for the started nats-server (default: a temp directory)")
    .option("--auth <mode>", "open (no NATS auth) or operator (JWT + NKey users per instance, like the platform)", "open")
    .option(
      "--run <command>",
      "start this command (your extension) once the platform is up, with SYMPHONY_DEV=1 and NATS_URL (open mode) or SYMPHONY_TOKEN (operator mode) set; stop with it",
    )
    .option(
      "--mock <spec[=prefix]>",
      "also serve this spec as a mock extension (symphony-codegen mock; prefix default: from info.title), connected like --run; repeatable",
      (spec: string, specs: string[]) => [...specs, spec],
      [] as string[],
    )
    .action(async (opts: { port: string; host: string; nats?: string; store?: string; auth: string; run?: string; mock: string[] }) => {
      if (opts.auth !== "open" && opts.auth !== "operator") throw new Error(`--auth must be open or operator, got ${JSON.stringify(opts.auth)}`);
      if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535)
        throw new Error(`--port must be an integer from 0 to 65535 (0: any free port), got ${JSON.stringify(opts.port)}`);
      const port = Number(opts.port);
      const [{ startDev, PortInUse }, { createLogger }] = await Promise.all([
        import("../../dev/server.js"),
        import("@symphony-codegen/runtime/internal/core/log.js"),
      ]);
      const log = createLogger({ component: "symphony-dev" });
      type Signal = (typeof SIGNALS)[number];
      let dev: Awaited<ReturnType<typeof startDev>> | undefined;
      let received: { signal: Signal; at: number } | undefined;
      let onStop!: () => void;
      const stopRequested = new Promise<void>((resolve) => (onStop = resolve));
      // Listen for the signals before starting anything. The first one stops everything in order
      // (each step bounded); one during start-up, or a second one, exits at once: the exit hook of
      // dev/nats-server.ts kills nats-server and removes its temp store either way.
      const onSignal = (signal: Signal) => {
        process.exitCode = signalExitCode(signal);
        if (received || !dev) {
          log.info("symphony dev stopped", { signal, during: received ? "shutdown" : "start-up" });
          process.exit(signalExitCode(signal));
        }
        received = { signal, at: performance.now() };
        onStop();
      };
      for (const s of SIGNALS) process.on(s, onSignal);
      try {
        try {
          dev = await startDev({ port, host: opts.host, natsUrl: opts.nats, storeDir: opts.store, auth: opts.auth, log });
        } catch (err) {
          if (err instanceof PortInUse)
            throw new Error(`port ${err.port} on ${err.host} is in use; stop what is using it or pass --port <n> / --port 0 for any free port`);
          throw err;
        }
        process.stdout.write(
          [
            `Symphony (local) is running`,
            `  web page + REST gateway: ${dev.httpUrl}/   (routes: ${dev.httpUrl}/api/<prefix>/<path>)`,
            `  NATS:                    ${dev.natsUrl}`,
            `  development token:       ${dev.token}`,
            `  registration token:      ${dev.registrationToken}   (REGISTRATION_TOKEN: provisions a key per extension)`,
            ``,
            ...opts.mock.map((spec) => `Mocking:  ${spec}   (routes: ${dev!.httpUrl}/api/<prefix>/...)`),
            opts.run ? `Running:  ${opts.run}` : `Start an extension with:  SYMPHONY_DEV=1 SYMPHONY_TOKEN=${dev.token} npm start`,
            opts.run
              ? `(with SYMPHONY_DEV=1 and ${opts.auth === "open" ? "NATS_URL" : "SYMPHONY_TOKEN"} set; Ctrl-C stops both)`
              : opts.auth === "open"
                ? `(or connect straight to NATS with NATS_URL=${dev.natsUrl})`
                : `(NATS requires credentials from the token exchange)`,
            `SYMPHONY_DEV=1 turns on response validation: a handler body that does not match the`,
            `spec is logged with the offending field and answered with a 500.`,
            ``,
          ].join("\n"),
        );
        // The extension under development and the mocks: when one ends by itself, so does dev (with its exit code).
        // One connection path: a token beats NATS_URL (runtime/sdk/extension.ts), so open mode gives only NATS_URL.
        const env = { SYMPHONY_DEV: "1", ...(opts.auth === "open" ? { NATS_URL: dev.natsUrl } : { SYMPHONY_TOKEN: dev.token }) };
        const commands = [
          ...opts.mock.map((spec) => ({ option: "--mock", command: mockCommand(spec) })),
          ...(opts.run ? [{ option: "--run", command: opts.run }] : []),
        ].map((c) => ({ ...c, running: runCommand(c.command, env) }));
        const commandExits = commands.map(({ option, command, running }) =>
          running.exited.then((code) => {
            if (!received) log.error(`the ${option} command exited; stopping`, { command, exitCode: code });
            return code;
          }),
        );
        // The nats-server dev started dying under it (killed, out of disk) ends dev: nothing works without it.
        const natsDied = dev.natsExited?.then((how) => {
          if (!received) log.error("nats-server exited; stopping", { exit: how });
          return 1;
        });
        const ended = await Promise.race([stopRequested.then(() => undefined), ...commandExits, ...(natsDied ? [natsDied] : [])]);
        const at = received?.at ?? performance.now();
        await Promise.all(commands.map(({ running }) => running.stop(EXTENSION_STOP_MS)));
        await dev.stop();
        log.info("symphony dev stopped", received ? { signal: received.signal, ms: Math.round(performance.now() - at) } : { exitCode: ended });
        context.exitCode = received ? signalExitCode(received.signal) : (ended ?? 1);
      } finally {
        for (const s of SIGNALS) process.off(s, onSignal);
        // Stopped, or failed to start: should anything still hold the event loop, it must not keep the
        // process alive (process.exit() takes the exit code main() returned; the exit hook kills nats-server).
        setTimeout(() => process.exit(), 500).unref();
      }
    });
}
