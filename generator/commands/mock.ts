/**
 * `symphony-codegen mock <spec>`: the spec served as an extension before one exists. Requests are
 * decoded and validated by the spec's generated code, answers come from its examples or from data
 * generated from its schemas (generator/mock/), and the service carries the spec as metadata, so
 * the gateway, the web page and clients treat it like any extension.
 */
import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import { signalExitCode } from "../../dev/signals.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Spec warnings logged one by one. */
const MAX_WARNINGS = 20;

interface MockFlags {
  nats?: string;
  prefix?: string;
  name?: string;
  seed: string;
}

/** A prefix from the API's title: "Swagger Petstore" → "swagger-petstore". */
export function prefixFromTitle(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "mock"
  );
}

export function addMockCommand(program: Command, context: CommandContext): void {
  program
    .command("mock")
    .description("Serve a spec as a mock extension: validated requests, answers from its examples or schema-generated data (Prefer: code=404 picks a status)")
    .argument("<spec>", "openapi.yaml or .json")
    .option("--nats <url>", "NATS server to serve on (default: NATS_URL, else SYMPHONY_TOKEN through the platform, as an extension connects)")
    .option("--prefix <prefix>", "extension prefix: subjects cirata.extensions.<prefix>.*, gateway routes /api/<prefix>/... (default: from info.title)")
    .option("--name <name>", "extension name (default: info.title)")
    .option("--seed <n>", "seed of the generated data: the same seed gives the same answers", "0")
    .action(async (spec: string, flags: MockFlags) => {
      if (!/^-?\d{1,15}$/.test(flags.seed)) throw new Error(`--seed must be an integer, got ${JSON.stringify(flags.seed)}`);
      const seed = Number(flags.seed);
      let received: NodeJS.Signals | undefined;
      let serving = false;
      // Until the extension serves (it then drains on the signal itself), a signal ends the process at once.
      const onSignal = (signal: NodeJS.Signals) => {
        received ??= signal;
        if (!serving) process.exit(signalExitCode(signal));
      };
      for (const s of SIGNALS) process.on(s, onSignal);
      try {
        const [{ compileApi }, { mockHandlers }, { MockValues }, { Extension, createLogger }] = await Promise.all([
          import("../mock/compile.js"),
          import("../mock/handlers.js"),
          import("../mock/values.js"),
          import("@symphony-codegen/runtime"),
        ]);
        const { model, api } = await compileApi(spec);
        const prefix = flags.prefix ?? prefixFromTitle(model.title);
        const ext = new Extension(flags.name ?? (model.title || prefix), prefix)
          .withDescription(`Mock of ${model.title || spec}: answers from its examples or generated data`)
          .withLogger(createLogger({ component: "symphony-mock", extension: prefix }));
        if (process.env.SYMPHONY_TOKEN) ext.withToken(process.env.SYMPHONY_TOKEN);
        if (flags.nats) ext.withNatsUrl(flags.nats);
        // What generate would print, as log records (the first few: a large published document can have hundreds).
        for (const w of model.warnings.slice(0, MAX_WARNINGS))
          ext.log.warn("spec warning", { file: w.file, line: w.line, pointer: w.pointer, detail: w.message });
        if (model.warnings.length > MAX_WARNINGS) ext.log.warn("more spec warnings", { count: model.warnings.length - MAX_WARNINGS });
        const handlers = mockHandlers(model, api.operationTable, new MockValues(model.document, model.openapiVersion, seed));
        await ext.runWithSetup(async (e) => {
          // runWithSetup listens for the signals from here on, and drains on one.
          serving = true;
          await api.register(e, handlers, { validateResponses: true, metadata: { mock: `seed=${seed}` } });
          e.log.info("mock serving", {
            spec,
            service: api.service.name,
            operations: api.operationTable.length,
            data: `seed ${seed}`,
            gateway: `/api/${prefix}/`,
          });
        });
        context.exitCode = received ? signalExitCode(received) : 0;
      } finally {
        for (const s of SIGNALS) process.off(s, onSignal);
        // Stopped: should anything still hold the event loop, it must not keep the process alive.
        setTimeout(() => process.exit(), 500).unref();
      }
    });
}
