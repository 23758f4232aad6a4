/**
 * The `symphony-codegen` command line: `main(argv)` builds the program from one module per
 * command (generator/commands/) and maps errors to exit codes.
 */
import { isMainThread } from "node:worker_threads";
import { Command } from "commander";
import { formatDiagnostic, SpecError } from "./diagnostics.js";
import type { CommandContext } from "./commands/context.js";
import { addGenerateCommand } from "./commands/generate.js";
import { addDevCommand } from "./commands/dev.js";
import { addInitCommand } from "./commands/init.js";
import { addTestCommand } from "./commands/test.js";
import { addMockCommand } from "./commands/mock.js";
import { packageVersion } from "./fingerprint.js";
import { DEEP_STACK_MB, mainOnGenerationThread } from "./generation-thread.js";

const isStackOverflow = (err: unknown) => err instanceof RangeError && /call stack size/i.test(err.message);

/**
 * Runs the command line; its exit code. `generationThread`: the caller owns the process (bin/), so a
 * one-shot `generate` may move to a thread of its own (generation-thread.ts); an in-process caller
 * such as a test keeps its thread.
 */
export async function main(argv: string[], options: { generationThread?: boolean } = {}): Promise<number> {
  const context: CommandContext = { exitCode: 0, argv, generationThread: options.generationThread === true };
  const program = new Command()
    .name("symphony-codegen")
    .description("Typed code generation for Symphony extensions from an OpenAPI document")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride();

  addGenerateCommand(program, context);

  addInitCommand(program);

  addDevCommand(program, context);

  addTestCommand(program, context);
  addMockCommand(program, context);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof SpecError) {
      process.stderr.write(err.diagnostics.map(formatDiagnostic).join("\n") + "\n");
      return 1;
    }
    if (isStackOverflow(err) && argv[0] === "generate") {
      // `generate --watch` regenerates on the main thread (it handles the signals): rerun it where the stack is deep.
      if (isMainThread) return mainOnGenerationThread(argv);
      process.stderr.write(`error: the document nests too deeply to generate, even with a ${DEEP_STACK_MB} MB stack (a $ref chain tens of thousands deep?)\n`);
      return 1;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
      // `test` keeps 1 for "the extension failed": a usage error there is 2, for CI to tell them apart.
      return argv[0] === "test" ? 2 : ((err as { exitCode?: number }).exitCode ?? 1);
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  return context.exitCode;
}
