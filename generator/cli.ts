/**
 * The `symphony-codegen` command line: `main(argv)` builds the program from one module per
 * command (generator/commands/) and maps errors to exit codes.
 */
import { isMainThread, Worker } from "node:worker_threads";
import { Command } from "commander";
import { formatDiagnostic, SpecError } from "./diagnostics.js";
import type { CommandContext } from "./commands/context.js";
import { addGenerateCommand } from "./commands/generate.js";
import { addDevCommand } from "./commands/dev.js";
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

  addDevCommand(program, context);

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
