/** `symphony-codegen generate <spec> --out <dir> [--check]` */
import { isMainThread, Worker } from "node:worker_threads";
import { Command } from "commander";
import { formatDiagnostic, SpecError } from "./diagnostics.js";
import { generate, DEFAULT_RUNTIME_IMPORT, type Phase } from "./generate.js";
import { COMPRESS_SPEC_ABOVE } from "./emit/register.js";

/**
 * A document whose `$ref`s nest hundreds deep (a chain of 500 schemas) overflows the main
 * thread's stack in the recursive walks. Such a run is repeated on a thread with this much
 * stack; nothing has been written by then (files are written last).
 */
const DEEP_STACK_MB = 512;

const isStackOverflow = (err: unknown) => err instanceof RangeError && /call stack size/i.test(err.message);

/** `main(argv)` again on a thread with a deep stack; its exit code. */
function mainWithDeepStack(argv: string[]): Promise<number> {
  const worker = new Worker(new URL("./cli-worker.js", import.meta.url), { workerData: { argv }, resourceLimits: { stackSizeMb: DEEP_STACK_MB } });
  return new Promise((resolve) => {
    worker.once("message", (code: number) => resolve(code));
    worker.once("error", (err) => {
      process.stderr.write(`error: ${err.message}\n`);
      resolve(1);
    });
    worker.once("exit", (code) => resolve(code === 0 ? 0 : 1));
  });
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("symphony-codegen")
    .description("Typed code generation for Symphony extensions from an OpenAPI document")
    .exitOverride();

  program
    .command("generate")
    .description("Generate types, validating decoders, handlers, builders and registration from an OpenAPI 3.0/3.1 document")
    .argument("<spec>", "openapi.yaml or .json (relative $refs are bundled)")
    .requiredOption("-o, --out <dir>", "output directory")
    .option("--check", "exit 1 and list stale files instead of writing")
    .option("--runtime-import <module>", "module the generated code imports the runtime from", DEFAULT_RUNTIME_IMPORT)
    .option("--allow-remote-refs", "follow http(s) $refs")
    .option("--strict", "treat every structural problem in the document as an error")
    .option("-q, --quiet", "print only errors")
    .option("--force", "regenerate even when the output directory's manifest shows nothing changed")
    .option("--timings", "print phase timings to stderr (default when stderr is a terminal)")
    .action(async (spec: string, opts: { out: string; check?: boolean; runtimeImport: string; allowRemoteRefs?: boolean; strict?: boolean; quiet?: boolean; force?: boolean; timings?: boolean }) => {
      const started = performance.now();
      const showTimings = !opts.quiet && (opts.timings ?? process.stderr.isTTY === true);
      const onPhase = (phase: Phase, ms: number) => {
        if (!showTimings) return;
        process.stderr.write(`  ${phase.padEnd(6)} ${String(Math.round(ms)).padStart(6)} ms\n`);
      };
      const options = { out: opts.out, check: opts.check, runtimeImport: opts.runtimeImport, allowRemoteRefs: opts.allowRemoteRefs, strict: opts.strict, onPhase };
      const result = opts.force ? await generate(spec, options) : await generate(spec, { ...options, incremental: true });
      const say = (line: string) => {
        if (!opts.quiet) process.stdout.write(line + "\n");
      };
      const warnings = result.fastPath ? [] : result.warnings;
      const shown = opts.quiet ? [] : warnings.slice(0, 20);
      for (const w of shown) process.stderr.write(formatDiagnostic(w) + "\n");
      if (warnings.length > shown.length && !opts.quiet) process.stderr.write(`… and ${warnings.length - shown.length} more warnings (--strict makes them errors)\n`);
      if (result.fastPath && result.warningCount > 0 && !opts.quiet) process.stderr.write(`${result.warningCount} warnings at the last full generation (--force shows them)\n`);
      const stale = [...result.written, ...result.removed];
      const fileCount = result.written.length + result.unchanged.length;
      if (opts.check) {
        if (stale.length > 0) {
          process.stderr.write(`Generated code in ${opts.out} is stale (run "symphony-codegen generate ${spec} --out ${opts.out}"):\n`);
          for (const f of result.written) process.stderr.write(`  ${f}: differs\n`);
          for (const f of result.removed) process.stderr.write(`  ${f}: no longer generated\n`);
          exitCode = 1;
        } else say(`${opts.out}: up to date (${fileCount} files)`);
        return;
      }
      const operations = result.fastPath ? result.operations : result.model.operations.length;
      say(
        `${operations} operations → ${opts.out}: ${result.written.length} written, ${result.unchanged.length} unchanged${result.removed.length ? `, ${result.removed.length} removed` : ""}${result.fastPath ? " (inputs unchanged)" : ""} (${Math.round(performance.now() - started)} ms)`,
      );
      const large = result.specBytes > COMPRESS_SPEC_ABOVE;
      say(`embedded spec (service metadata "openapi"): ${kib(result.specBytes)}${large ? ", gzip-compressed: over NATS's default max_payload (1 MiB), register() announces it compressed or, too large even so, through the JetStream object store" : ""}`);
    });

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
        exitCode = SIGNAL_EXIT[signal];
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
  return exitCode;
}
