/**
 * The pipeline: load → model → emit → format → write.
 */
import { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
import { emitClient } from "./emit/client.js";
import { emitHandlers } from "./emit/handlers.js";
import { emitOperations, emitSchemas } from "./emit/operations.js";
import { emitIndex, emitRegister, emitSpec } from "./emit/register.js";
import { emitTypes } from "./emit/types.js";
import { ZodEmitter } from "./emit/zod.js";
import { formatTypeScript } from "./format.js";
import { loadSpec, type LoadOptions } from "./load.js";
import { buildModel, type ApiModel } from "./model.js";
import { withHeader, writeOutput, type OutputFile, type WriteResult } from "./write.js";

export interface GenerateOptions extends LoadOptions {
  /** Output directory. */
  out: string;
  /** Report stale files, write nothing. */
  check?: boolean;
  /** Module the generated code imports the runtime from. */
  runtimeImport?: string;
}

export interface GenerateResult extends WriteResult {
  model: ApiModel;
  /** Bytes of the `openapi` metadata value. */
  specBytes: number;
  warnings: Diagnostic[];
  files: OutputFile[];
}

export const DEFAULT_RUNTIME_IMPORT = "symphony-codegen/runtime";

/** Emits and formats every output file for a model (no I/O). */
export async function emitFiles(model: ApiModel, runtimeImport = DEFAULT_RUNTIME_IMPORT): Promise<{ files: OutputFile[]; specBytes: number }> {
  const zod = new ZodEmitter(model.document, model.openapiVersion);
  zod.emitComponents(model.schemas);
  // Operations reference components through the schemas module; any newly met `$ref` lands there too.
  const operations = emitOperations(model, zod, runtimeImport);
  const specJson = JSON.stringify(model.document);
  const sources: [string, string | Promise<string>][] = [
    ["types", emitTypes(model)],
    ["schemas", emitSchemas(zod, runtimeImport)],
    ["operations", operations],
    ["handlers", emitHandlers(model, runtimeImport)],
    ["register", emitRegister(model, runtimeImport)],
    ["client", emitClient(model, runtimeImport)],
  ];
  const formatted = await Promise.all(
    sources.map(async ([name, source]) => ({ name: `${name}.ts`, content: withHeader(await formatTypeScript(await source)) })),
  );
  const names = [...sources.map(([n]) => n), "spec"];
  const files = [
    ...formatted,
    { name: "spec.ts", content: withHeader(emitSpec(specJson)) },
    { name: "index.ts", content: withHeader(emitIndex(names)) },
  ].sort((a, b) => a.name.localeCompare(b.name));
  return { files, specBytes: Buffer.byteLength(specJson) };
}

export async function generate(specPath: string, options: GenerateOptions): Promise<GenerateResult> {
  const loaded = await loadSpec(specPath, options);
  const model = buildModel(loaded);
  const { files, specBytes } = await emitFiles(model, options.runtimeImport);
  const written = await writeOutput(options.out, files, options.check ?? false);
  return { ...written, model, specBytes, warnings: model.warnings, files };
}

export { formatDiagnostic };
