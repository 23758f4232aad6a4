/** `symphony-codegen generate [spec] --out <dir> [--check] [--watch]`, or from symphony.config.* */
import type { Command } from "commander";
import { isMainThread } from "node:worker_threads";
import { flagsSet, setFlag, userSetFlag } from "../v8-flags.cjs";
import { generationThreadLimits, mainOnGenerationThread, stderrIsTerminal } from "../generation-thread.js";
import { formatDiagnostic, SpecError, displayPath } from "../diagnostics.js";
import { generate, upToDateResult, DEFAULT_RUNTIME_IMPORT, type Phase, type UpToDateResult } from "../generate.js";
import { COMPRESS_SPEC_ABOVE } from "../emit/spec-size.js";
import type { CommandContext } from "./context.js";
import { findConfig, loadConfig, resolveTargets, type CliOverrides, type SymphonyConfig, type Target } from "../config.js";
import { signalExitCode } from "../../dev/signals.js";

interface GenerateFlags {
  out?: string;
  config?: string;
  check?: boolean;
  watch?: boolean;
  runtimeImport?: string;
  allowRemoteRefs?: boolean;
  strict?: boolean;
  quiet?: boolean;
  force?: boolean;
  timings?: boolean;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The config file the command line names or the working directory holds, loaded; undefined when there is none. */
async function configFor(flags: GenerateFlags): Promise<{ file: string; config: SymphonyConfig } | undefined> {
  const file = flags.config ?? findConfig(process.cwd());
  return file === undefined ? undefined : { file, config: await loadConfig(file) };
}

export function addGenerateCommand(program: Command, context: CommandContext): void {
  program
    .command("generate")
    .description("Generate types, validating decoders, handlers, builders and registration from an OpenAPI 3.0/3.1 document")
    .argument("[spec]", "openapi.yaml or .json (relative $refs are bundled); default: the config file's")
    .option("-o, --out <dir>", "output directory (default: the config file's)")
    .option("-c, --config <file>", "config file (default: symphony.config.{ts,mts,mjs,js,json} in the working directory)")
    .option("--check", "exit 1 and list stale files instead of writing")
    .option("-w, --watch", "regenerate whenever the document or a file it $refs changes")
    .option("--runtime-import <module>", `module the generated code imports the runtime from (default: ${DEFAULT_RUNTIME_IMPORT})`)
    .option("--allow-remote-refs", "follow http(s) $refs")
    .option("--no-allow-remote-refs", "do not follow http(s) $refs (overrides the config)")
    .option("--strict", "treat every structural problem in the document as an error")
    .option("--no-strict", "only problems generation cannot work around are errors (overrides the config)")
    .option("-q, --quiet", "print only errors")
    .option("--force", "regenerate even when the output directory's manifest shows nothing changed")
    .option("--timings", "print phase timings to stderr (default when stderr is a terminal)")
    .action(async (spec: string | undefined, flags: GenerateFlags) => {
      if (flags.watch && flags.check) throw new Error("--watch and --check cannot be combined");
      collectGarbageSooner();
      optimizeOnlyHotCode();
      const overrides: CliOverrides = {
        spec,
        out: flags.out,
        runtimeImport: flags.runtimeImport,
        strict: flags.strict,
        allowRemoteRefs: flags.allowRemoteRefs,
      };
      const config = await configFor(flags);
      const targets = resolveTargets(overrides, config);
      // A generation moves to a thread of its own; --watch stays here, where the signals arrive, and
      // so does a run whose manifests say there is nothing to do (a thread's start-up would double it).
      const current = flags.force || flags.watch ? undefined : await currentOutputs(targets);
      const hop = context.generationThread && isMainThread && !flags.watch && current === undefined;
      if (hop || !isMainThread) collectBetweenEmitters();
      if (hop) {
        context.exitCode = await mainOnGenerationThread(context.argv);
        return;
      }
      if (timingsShown(flags)) {
        if (flagsSet()) process.stderr.write(`  V8 flags set for generation: ${flagsSet()}\n`);
        if (!isMainThread) process.stderr.write(`  generation thread: ${generationThreadLimits()}\n`);
      }
      if (flags.watch) {
        context.exitCode = await watch(
          targets,
          flags,
          config && (async () => resolveTargets(overrides, await configFor({ ...flags, config: config.file }))),
          config?.file,
        );
        return;
      }
      for (const target of targets) {
        try {
          const code = await generateOnce(target, flags, config ? "" : `${spec} --out ${flags.out}`, current?.get(target));
          context.exitCode = Math.max(context.exitCode, code);
        } catch (err) {
          // One broken document of several: report it, generate the others, fail at the end.
          if (!(err instanceof SpecError) || targets.length === 1) throw err;
          process.stderr.write(err.diagnostics.map(formatDiagnostic).join("\n") + "\n");
          context.exitCode = 1;
        }
      }
    });
}

/** A target found up to date, and how long finding that took (reported as the run's time). */
interface Checked {
  result: UpToDateResult;
  ms: number;
}

/** Each target's up-to-date result when every target's output is current; undefined when any has something to generate. */
async function currentOutputs(targets: Target[]): Promise<Map<Target, Checked> | undefined> {
  const current = new Map<Target, Checked>();
  for (const target of targets) {
    const started = performance.now();
    // A problem (an output directory that is a file, …) is generate()'s to report.
    const result = await upToDateResult(target.spec, target.options).catch(() => undefined);
    if (!result) return undefined;
    current.set(target, { result, ms: performance.now() - started });
  }
  return current;
}

/** Phase timings (and the V8 flags set, once) go to stderr with --timings, or by default on a terminal. */
const timingsShown = (flags: GenerateFlags) => !flags.quiet && (flags.timings ?? stderrIsTerminal());

/** One generation, as `generate` has always reported it (`current`: already found up to date); its exit code. */
async function generateOnce(target: Target, flags: GenerateFlags, rerun: string, current?: Checked): Promise<number> {
  const started = performance.now() - (current?.ms ?? 0);
  const out = target.options.out;
  const shownOut = flags.out ?? (displayPath(out) || ".");
  const showTimings = timingsShown(flags);
  const onPhase = (phase: Phase, ms: number) => {
    if (!showTimings) return;
    process.stderr.write(`  ${phase.padEnd(6)} ${String(Math.round(ms)).padStart(6)} ms\n`);
  };
  const options = { ...target.options, check: flags.check, onPhase };
  const result = current?.result ?? (flags.force ? await generate(target.spec, options) : await generate(target.spec, { ...options, incremental: true }));
  const say = (line: string) => {
    if (!flags.quiet) process.stdout.write(line + "\n");
  };
  const warnings = result.fastPath ? [] : result.warnings;
  const shown = flags.quiet ? [] : warnings.slice(0, 20);
  for (const w of shown) process.stderr.write(formatDiagnostic(w) + "\n");
  if (warnings.length > shown.length && !flags.quiet)
    process.stderr.write(`… and ${warnings.length - shown.length} more warnings (--strict makes them errors)\n`);
  if (result.fastPath && result.warningCount > 0 && !flags.quiet)
    process.stderr.write(`${result.warningCount} warnings at the last full generation (--force shows them)\n`);
  const stale = [...result.written, ...result.removed];
  const fileCount = result.written.length + result.unchanged.length;
  if (flags.check) {
    if (stale.length > 0) {
      process.stderr.write(`Generated code in ${shownOut} is stale (run "symphony-codegen generate${rerun ? " " + rerun : ""}"):\n`);
      for (const f of result.written) process.stderr.write(`  ${f}: differs\n`);
      for (const f of result.removed) process.stderr.write(`  ${f}: no longer generated\n`);
      return 1;
    }
    say(`${shownOut}: up to date (${fileCount} files)`);
    return 0;
  }
  const operations = result.fastPath ? result.operations : result.model.operations.length;
  say(
    `${operations} operations → ${shownOut}: ${result.written.length} written, ${result.unchanged.length} unchanged${result.removed.length ? `, ${result.removed.length} removed` : ""}${result.fastPath ? " (inputs unchanged)" : ""} (${Math.round(performance.now() - started)} ms)`,
  );
  const large = result.specBytes > COMPRESS_SPEC_ABOVE;
  if (target.options.emit?.spec !== false)
    say(
      `embedded spec (service metadata "openapi"): ${kib(result.specBytes)}${large ? ", gzip-compressed: over NATS's default max_payload (1 MiB), register() announces it compressed or, too large even so, through the JetStream object store" : ""}`,
    );
  return 0;
}

/** --watch until SIGINT (exit code 130) or SIGTERM (143). */
async function watch(targets: Target[], flags: GenerateFlags, reload: (() => Promise<Target[]>) | undefined, configFile: string | undefined): Promise<number> {
  const { watchTargets } = await import("../watch.js");
  const stop = new AbortController();
  let code = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    code = signalExitCode(signal);
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await watchTargets({
      targets,
      configFile,
      reload,
      signal: stop.signal,
      log: (line) => {
        if (!flags.quiet) process.stdout.write(line + "\n");
      },
      error: (line) => process.stderr.write(line + "\n"),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return code;
}

/**
 * Generation allocates at a high rate and keeps little (Microsoft Graph's description: ~450 MB
 * live at most), and V8 then lets the heap grow to up to 4× what its last full collection kept
 * before the next one: 1.4 GB resident. Growing by 40% instead holds it to ~0.9 GB for ~10% more
 * time in the collector. A heap flag the user set (NODE_OPTIONS) is left alone.
 */
function collectGarbageSooner(): void {
  if (userSetFlag(/heap-growing|max-old-space/)) return;
  setFlag("--heap-growing-percent=40");
}

/**
 * V8 hands a function to its optimizing compiler once it has run ~66 KB of bytecode. Generation runs
 * most of its code (ours, TypeScript's printer, openapi-typescript, Redocly) a few thousand times and
 * then never again, so at that threshold the compiler spent ~2.9 s of CPU (624 compilations, `--trace-opt`)
 * on a 300-operation document whose generation took 1.5 s, and still ~1 s more CPU than it saved at
 * 3,000. A threshold 15× higher leaves that code to the baseline tiers and optimizes what stays hot:
 * CPU on the synthetic document fell by ~30% at 300 and 1,000 operations and ~20% at 12,000.
 * A user's own `--interrupt-budget` (`node --interrupt-budget=N`) is left alone.
 */
function optimizeOnlyHotCode(): void {
  if (userSetFlag(/interrupt-budget/)) return;
  setFlag("--interrupt-budget=1000000");
}

/**
 * Exposes V8's `gc` to the generation thread (its heap reads the flag when it starts), where
 * generate.ts collects between emitters (`collectGarbage`). Each emitter's syntax trees are garbage
 * once its text is printed, and V8 grows the heap by 40% over what it last kept before collecting
 * them: a collection at each of the three boundaries lowered peak RSS by 28 MiB at 1,000 and 3,000
 * operations, 42 MiB at 6,000 and 24 MiB at 12,000 of the synthetic document, for ~1-6% more time.
 * Set on both threads so that the code cache's key (`flagsSet`) matches the flags V8 checks it against.
 */
function collectBetweenEmitters(): void {
  setFlag("--expose-gc");
}

