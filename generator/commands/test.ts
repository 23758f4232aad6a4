/**
 * `symphony-codegen test <spec>`: drives every operation of a running extension with requests from
 * its spec and checks every answer against it (generator/conformance/). Exit 0: all pass; 1: a
 * failure; 2: a usage or connection problem. The table goes to stdout, warnings to stderr.
 */
import { writeFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import type { CommandContext } from "./context.js";
import { formatDiagnostic, SpecError } from "../diagnostics.js";

const integer = (name: string, min: number) => (value: string) => {
  if (!/^-?\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError(`${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
};

interface TestOptions {
  nats?: string;
  gateway?: string;
  prefix?: string;
  seed?: number;
  runs: number;
  operation?: string;
  case?: number;
  junit?: string;
  timeout: number;
}

export function addTestCommand(program: Command, context: CommandContext): void {
  program
    .command("test")
    .description("Test a running extension against its OpenAPI document: examples, valid and invalid requests, links; every answer checked")
    .argument("<spec>", "the extension's OpenAPI document")
    .option("--nats <url>", "send envelopes over NATS to the extension's endpoints")
    .option("--gateway <url>", "send HTTP requests through a `symphony-codegen dev` gateway (e.g. http://127.0.0.1:8080)")
    .option("--prefix <prefix>", "the extension's prefix (default: found among the running services)")
    .option("--seed <n>", "seed of the generated requests (default: random, printed)", integer("--seed", -(2 ** 31)))
    .option("--runs <n>", "valid requests per operation", integer("--runs", 0), 20)
    .option("--operation <id>", "only this operation (operationId)")
    .option("--case <n>", "only case n of --operation (as printed by a failure's replay line)", integer("--case", 0))
    .option("--junit <file>", "also write the results as JUnit XML")
    .option("--timeout <ms>", "how long to wait for each answer", integer("--timeout", 1), 5000)
    .action(async (spec: string, opts: TestOptions) => {
      context.exitCode = await runTest(spec, opts);
    });
}

async function runTest(specFile: string, opts: TestOptions): Promise<number> {
  const fail = (message: string) => (process.stderr.write(`error: ${message}\n`), 2);
  if ((opts.nats === undefined) === (opts.gateway === undefined)) return fail("pass exactly one of --nats <url> or --gateway <url>");
  if (opts.case !== undefined && opts.operation === undefined) return fail("--case needs --operation");
  const [{ loadApi }, { natsTransport, gatewayTransport, UsageError }, { runConformance }, { textReport, junitReport }] = await Promise.all([
    import("../conformance/api.js"),
    import("../conformance/send.js"),
    import("../conformance/run.js"),
    import("../conformance/report.js"),
  ]);
  let api: Awaited<ReturnType<typeof loadApi>>;
  try {
    api = await loadApi(specFile);
  } catch (err) {
    if (err instanceof SpecError) return (process.stderr.write(err.diagnostics.map(formatDiagnostic).join("\n") + "\n"), 2);
    return fail(`cannot read ${specFile}: ${(err as Error).message}`);
  }
  if (opts.operation !== undefined && !api.ops.some((o) => o.id === opts.operation))
    return fail(`no operation ${JSON.stringify(opts.operation)} in ${specFile} (operations: ${api.ops.map((o) => o.id).join(", ")})`);
  const seed = opts.seed ?? (Math.random() * 2 ** 31) | 0;
  let transport;
  try {
    transport =
      opts.nats !== undefined
        ? await natsTransport(api, opts.nats, opts.prefix, opts.timeout)
        : await gatewayTransport(api, opts.gateway!, opts.prefix, opts.timeout);
  } catch (err) {
    // Whatever stops the connection (refused, bad URL, no such prefix) is not a finding about the extension.
    return fail(err instanceof UsageError ? err.message : `cannot connect: ${(err as Error).message}`);
  }
  const where = opts.nats !== undefined ? `--nats ${opts.nats}` : `--gateway ${opts.gateway}`;
  const replay = `symphony-codegen test ${specFile} ${where} --prefix ${transport.prefix} --seed ${seed} --runs ${opts.runs}`;
  process.stdout.write(`${api.model.title} (prefix ${transport.prefix}), seed ${seed}, ${opts.runs} valid requests per operation\n\n`);
  try {
    const results = await runConformance(api, transport, {
      seed,
      runs: opts.runs,
      operation: opts.operation,
      caseIndex: opts.case,
      warn: (m) => process.stderr.write(`warning: ${m}\n`),
    });
    const ctx = { api, replay };
    process.stdout.write(textReport(results, ctx));
    if (opts.junit) writeFileSync(opts.junit, junitReport(results, ctx));
    return results.some((r) => r.failures.length > 0) ? 1 : 0;
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    await transport.close();
  }
}
