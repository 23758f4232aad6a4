/**
 * The `symphony-codegen` command line: `main(argv)` builds the program from one module per
 * command (generator/commands/) and maps errors to exit codes.
 */
import { isMainThread, Worker } from "node:worker_threads";
import { Command } from "commander";
import { formatDiagnostic, SpecError } from "./diagnostics.js";
import type { CommandContext } from "./commands/context.js";
import { addGenerateCommand } from "./commands/generate.js";
import { addInitCommand } from "./commands/init.js";
import { packageVersion } from "./fingerprint.js";

/**
 * A document whose `$ref`s nest hundreds deep (a chain of 500 schemas) overflows the main
 * thread's stack in the recursive walks. Such a run is repeated on a thread with this much
 * stack; nothing has been written by then (files are written last).
 */
const DEEP_STACK_MB = 512;

const isStackOverflow = (err: unknown) => err instanceof RangeError && /call stack size/i.test(err.message);

/** `main(argv)` again on a thread with a deep stack; its exit code. */
function mainWithDeepStack(argv: string[]): Promise<number> {
  const worker = new Worker(new URL("./cli-worker.js", import.meta.url), {
    workerData: { argv },
    resourceLimits: { stackSizeMb: DEEP_STACK_MB },
  });
  return new Promise((resolve) => {
    worker.once("message", (code: number) => resolve(code));
    worker.once("error", (err) => {
      process.stderr.write(`error: ${err.message}\n`);
      resolve(1);
    });
    worker.once("exit", (code) => resolve(code === 0 ? 0 : 1));
  });
}

export async function main(argv: string[]): Promise<number> {
  const context: CommandContext = { exitCode: 0 };
  const program = new Command()
    .name("symphony-codegen")
    .description("Typed code generation for Symphony extensions from an OpenAPI document")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride();

  addGenerateCommand(program, context);

  addInitCommand(program);

  program
    .command("dev")
    .description("Run a local Symphony: nats-server, platform services, REST gateway and web page")
    .option("-p, --port <port>", "HTTP port (0: any free port)", "8080")
    .option("--host <host>", "HTTP address to bind (loopback by default)", "127.0.0.1")
    .option("--nats <url>", "use this NATS server instead of starting nats-server")
    .option("--store <dir>", "JetStream store directory for the started nats-server (default: a temp directory)")
    .option("--auth <mode>", "open (no NATS auth) or operator (JWT + NKey users per instance, like the platform)", "open")
    .action(async (opts: { port: string; host: string; nats?: string; store?: string; auth: string }) => {
      if (opts.auth !== "open" && opts.auth !== "operator") throw new Error(`--auth must be open or operator, got ${JSON.stringify(opts.auth)}`);
      if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535) throw new Error(`--port must be an integer from 0 to 65535 (0: any free port), got ${JSON.stringify(opts.port)}`);
      const port = Number(opts.port);
      const [{ startDev, PortInUse }, { createLogger }] = await Promise.all([import("./dev/server.js"), import("@symphony-codegen/runtime/internal/log.js")]);
      const log = createLogger({ component: "symphony-dev" });
      /** Exit codes of a process ended by a signal (128 + its number), what shells report for Ctrl-C. */
      const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
      type Signal = keyof typeof SIGNAL_EXIT;
      let dev: Awaited<ReturnType<typeof startDev>> | undefined;
      let received: { signal: Signal; at: number } | undefined;
      let onStop!: () => void;
      const stopRequested = new Promise<void>((resolve) => (onStop = resolve));
      // Listen for the signals before starting anything. The first one stops everything in order
      // (each step bounded); one during start-up, or a second one, exits at once: the exit hook of
      // generator/dev/nats-server.ts kills nats-server and removes its temp store either way.
      const onSignal = (signal: Signal) => {
        process.exitCode = SIGNAL_EXIT[signal];
        if (received || !dev) {
          log.info("symphony dev stopped", { signal, during: received ? "shutdown" : "start-up" });
          process.exit(SIGNAL_EXIT[signal]);
        }
        received = { signal, at: performance.now() };
        onStop();
      };
      const signals = Object.keys(SIGNAL_EXIT) as Signal[];
      for (const s of signals) process.on(s, onSignal);
      try {
        try {
          dev = await startDev({ port, host: opts.host, natsUrl: opts.nats, storeDir: opts.store, auth: opts.auth, log });
        } catch (err) {
          if (err instanceof PortInUse) throw new Error(`port ${err.port} on ${err.host} is in use; stop what is using it or pass --port <n> / --port 0 for any free port`);
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
            `Start an extension with:  SYMPHONY_DEV=1 SYMPHONY_TOKEN=${dev.token} npm start`,
            opts.auth === "open" ? `(or connect straight to NATS with NATS_URL=${dev.natsUrl})` : `(NATS requires credentials from the token exchange)`,
            `SYMPHONY_DEV=1 turns on response validation: a handler body that does not match the`,
            `spec is logged with the offending field and answered with a 500.`,
            ``,
          ].join("\n"),
        );
        await stopRequested;
        const { signal, at } = received!;
        await dev.stop();
        log.info("symphony dev stopped", { signal, ms: Math.round(performance.now() - at) });
        context.exitCode = SIGNAL_EXIT[signal];
      } finally {
        for (const s of signals) process.off(s, onSignal);
        // Stopped, or failed to start: should anything still hold the event loop, it must not keep the
        // process alive (process.exit() takes the exit code main() returned; the exit hook kills nats-server).
        setTimeout(() => process.exit(), 500).unref();
      }
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(err.diagnostics.map(formatDiagnostic).join("\n") + "\n");
      return 1;
    }
    if (isStackOverflow(err) && argv[0] === "generate") {
      if (isMainThread) return mainWithDeepStack(argv);
      process.stderr.write(`error: the document nests too deeply to generate, even with a ${DEEP_STACK_MB} MB stack (a $ref chain tens of thousands deep?)\n`);
      return 1;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      return code === "commander.helpDisplayed" || code === "commander.version" ? 0 : ((err as { exitCode?: number }).exitCode ?? 1);
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  return context.exitCode;
}
