/**
 * The pipeline: load → model → emit → format → write.
 *
 * The heavy modules (the loader with @redocly/openapi-core, the emitters with openapi-typescript,
 * prettier) are imported on first use only, so the no-op path (`incremental`: inputs, options,
 * generator and outputs all hash as the manifest in the output directory records) costs a few
 * file reads and hashes, not seconds of module loading.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
import { generatorFingerprint } from "./fingerprint.js";
import type { LoadOptions } from "./load.js";
import { collectGarbage } from "./v8-flags.cjs";
import type { ApiModel, NamingOptions } from "./model.js";
import {
  checkOutputDirectory,
  MANIFEST,
  manifestPath,
  sha256,
  upToDate,
  withHeader,
  writeManifest,
  writeOutput,
  type Manifest,
  type OutputFile,
  type WriteResult,
} from "./write.js";

export interface GenerateOptions extends LoadOptions {
  /** Output directory. */
  out: string;
  /** Report stale files, write nothing. */
  check?: boolean;
  /** Module the generated code imports the runtime from. */
  runtimeImport?: string;
  /**
   * Return early, without loading the spec, when the output directory's manifest shows that
   * nothing changed (same inputs, options, generator and outputs). The CLI sets it unless `--force`.
   */
  incremental?: boolean;
  /** Called after each phase with its duration (progress output). */
  onPhase?: (phase: Phase, ms: number) => void;
  /** Name overrides (operationId → handler and type name). */
  naming?: NamingOptions;
  /** Optional outputs, each on unless set to false. */
  emit?: EmitOptions;
}

/**
 * The optional parts of the output. types, schemas, operations, handlers and index are the
 * core every other file builds on; these can be left out.
 */
export interface EmitOptions {
  /** client.ts: `createClient(nc, prefix)`, the typed NATS client. */
  client?: boolean;
  /** register.ts: `register(ext, handlers)`. Needs spec.ts. */
  register?: boolean;
  /** spec.ts: the bundled document, embedded as service metadata. register.ts imports it. */
  spec?: boolean;
  /** 3.1 webhooks and callbacks: `WebhookHandlers`, `webhookTable`, `registerWebhooks`, `createWebhookClient`. */
  webhooks?: boolean;
}

export const EMITTERS = ["client", "register", "spec", "webhooks"] as const satisfies readonly (keyof EmitOptions)[];

/** A combination of emit options that cannot produce compiling code, as a message; undefined when fine. */
export function emitConflict(emit: EmitOptions | undefined): string | undefined {
  if (emit?.spec === false && emit.register !== false) return "spec: false needs register: false too (register.ts imports spec.ts)";
  return undefined;
}

export type Phase = "check" | "load" | "model" | "emit" | "format" | "write";

export interface GenerateResult extends WriteResult {
  /** False: the full pipeline ran. */
  fastPath: false;
  model: ApiModel;
  /** Bytes of the `openapi` metadata value. */
  specBytes: number;
  warnings: Diagnostic[];
  files: OutputFile[];
  /** Absolute paths of the local files the document was read from (the root and every file it `$ref`s). */
  inputs: string[];
}

/** The no-op result: the output directory was already what generation would produce; nothing was read beyond hashes, nothing written. */
export interface UpToDateResult extends WriteResult {
  fastPath: true;
  /** Operations, spec size and warning count recorded by the last full run. */
  operations: number;
  specBytes: number;
  warningCount: number;
  /** Absolute paths of the input files the manifest records. */
  inputs: string[];
}

export const DEFAULT_RUNTIME_IMPORT = "@symphony-codegen/runtime";

/** Outputs whose bodies users' builds need not type-check (see UNCHECKED in write.ts). */
const UNCHECKED_FILES = new Set(["schemas", "operations", "handlers", "client"]);

/** Emits and formats every output file for a model (no I/O). */
export async function emitFiles(
  model: ApiModel,
  runtimeImport = DEFAULT_RUNTIME_IMPORT,
  onPhase?: (phase: Phase, ms: number) => void,
  emit: EmitOptions = {},
): Promise<{ files: OutputFile[]; specBytes: number }> {
  const conflict = emitConflict(emit);
  if (conflict) throw new Error(`emit: ${conflict}`);
  if (emit.webhooks === false) model = { ...model, webhooks: [], callbackItems: {} };
  let started = performance.now();
  const [
    { emitClient },
    { emitHandlers },
    { emitOperations, emitSchemas },
    { emitIndex, emitRegister, emitSpec },
    { emitTypes },
    { ZodEmitter },
    { formatTypeScript },
  ] = await Promise.all([
    import("./emit/client.js"),
    import("./emit/handlers.js"),
    import("./emit/operations.js"),
    import("./emit/register.js"),
    import("./emit/types.js"),
    import("./emit/zod.js"),
    import("./format.js"),
  ]);
  // Loading TypeScript and openapi-typescript (above) leaves ~13 MB of garbage behind: collected now (~20 ms),
  // it no longer sets the peak of a small document's run (100 synthetic operations: 116 → 111 MiB),
  // whose peak then grows with the document as a large one's does (target 1 of issue 16).
  collectGarbage();
  // types.ts first: openapi-typescript's syntax tree for it (~300 MB on Microsoft Graph's
  // description) is garbage before the other emitters build theirs; it is collected at once
  // (on the generation thread, collectGarbage), as each later emitter's is.
  const types = await emitTypes(model);
  collectGarbage();
  const zod = new ZodEmitter(model.document, model.openapiVersion);
  zod.emitComponents(model.schemas);
  // Operations reference components through the schemas module; any newly met `$ref` lands there too.
  const operations = emitOperations(model, zod, runtimeImport);
  collectGarbage();
  const specJson = JSON.stringify(model.document);
  const ours: [string, string][] = [
    ["schemas", emitSchemas(zod, runtimeImport)],
    ["operations", operations],
    ["handlers", emitHandlers(model, runtimeImport)],
  ];
  if (emit.register !== false) ours.push(["register", emitRegister(model, runtimeImport)]);
  if (emit.client !== false) ours.push(["client", emitClient(model, runtimeImport)]);
  collectGarbage();
  // types.ts comes printed in prettier's layout (generator/print/); so do the others' statements,
  // and prettier formats only what no printer knows.
  onPhase?.("emit", performance.now() - started);
  started = performance.now();
  const sources: [string, string][] = [
    ["types", types],
    ...(await Promise.all(ours.map(async ([name, source]): Promise<[string, string]> => [name, await formatTypeScript(source)]))),
  ];
  onPhase?.("format", performance.now() - started);
  const formatted = sources.map(([name, text]) => ({ name: `${name}.ts`, content: withHeader(text, { unchecked: UNCHECKED_FILES.has(name) }) }));
  const spec = emit.spec === false ? [] : [{ name: "spec.ts", content: withHeader(emitSpec(specJson, runtimeImport)) }];
  const names = [...sources.map(([n]) => n), ...(emit.spec === false ? [] : ["spec"])];
  const files = [...formatted, ...spec, { name: "index.ts", content: withHeader(emitIndex(names, runtimeImport)) }].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  return { files, specBytes: Buffer.byteLength(specJson) };
}

const sortedEntries = <T>(record: Record<string, T>) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Every option that shapes the output, as the manifest records it (defaults left out, so older manifests still match). */
function manifestOptions(options: GenerateOptions): Manifest["options"] {
  const recorded: Manifest["options"] = {
    runtimeImport: options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
    strict: options.strict ?? false,
    allowRemoteRefs: options.allowRemoteRefs ?? false,
  };
  const off = EMITTERS.filter((name) => options.emit?.[name] === false);
  if (off.length > 0) recorded.emit = Object.fromEntries(off.map((name) => [name, false]));
  const operations = sortedEntries(options.naming?.operations ?? {});
  if (operations.length > 0) recorded.naming = { operations: Object.fromEntries(operations) };
  return recorded;
}

/** What an up-to-date output directory's manifest records for this document and these options. */
async function expectedManifest(specPath: string, options: GenerateOptions): Promise<Pick<Manifest, "fingerprint" | "options" | "spec">> {
  return { fingerprint: await generatorFingerprint(), options: manifestOptions(options), spec: manifestPath(options.out, specPath) };
}

/**
 * What an incremental `generate` returns when the output directory's manifest matches the inputs,
 * found without loading the pipeline; undefined when there is something to generate.
 */
export async function upToDateResult(specPath: string, options: GenerateOptions): Promise<UpToDateResult | undefined> {
  const manifest = await upToDate(options.out, await expectedManifest(specPath, options));
  if (!manifest) return undefined;
  return {
    fastPath: true,
    written: [],
    unchanged: Object.keys(manifest.outputs),
    removed: [],
    operations: manifest.summary.operations,
    specBytes: manifest.summary.specBytes,
    warningCount: manifest.summary.warnings,
    inputs: Object.keys(manifest.inputs).map((file) => path.resolve(options.out, file)),
  };
}

export function generate(specPath: string, options: GenerateOptions & { incremental: true }): Promise<GenerateResult | UpToDateResult>;
export function generate(specPath: string, options: GenerateOptions): Promise<GenerateResult>;
export async function generate(specPath: string, options: GenerateOptions): Promise<GenerateResult | UpToDateResult> {
  const phase = (name: Phase, since: number) => {
    options.onPhase?.(name, performance.now() - since);
    return performance.now();
  };
  let started = performance.now();
  // Before the seconds of loading: an output directory that is a file fails at once.
  await checkOutputDirectory(options.out);
  if (options.incremental) {
    const current = await upToDateResult(specPath, options);
    started = phase("check", started);
    if (current) return current;
  }
  const expected = await expectedManifest(specPath, options);
  const [{ loadSpec }, { buildModel }] = await Promise.all([import("./load.js"), import("./model.js")]);
  const loaded = await loadSpec(specPath, options);
  started = phase("load", started);
  const model = buildModel(loaded, { naming: options.naming });
  phase("model", started);
  const { files, specBytes } = await emitFiles(model, options.runtimeImport, options.onPhase, options.emit);
  started = performance.now();
  const check = options.check ?? false;
  const written = await writeOutput(options.out, files, check);
  // Remote references cannot be hashed: such outputs always take the full path.
  const isRemote = (f: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(f);
  const local = loaded.files.every((f) => !isRemote(f));
  // The manifest is part of the output: `--check` reports it stale too (a changed generator, an input
  // renamed), so a committed manifest never drifts from what a fresh generation records.
  if (local) {
    const inputs: Record<string, string> = {};
    for (const file of loaded.files) inputs[manifestPath(options.out, file)] = sha256(await readFile(file));
    inputs[expected.spec] ??= sha256(await readFile(specPath));
    const outputs: Record<string, string> = {};
    for (const file of files) outputs[file.name] = sha256(file.content);
    const manifest: Manifest = {
      generator: "symphony-codegen",
      ...expected,
      inputs: Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      outputs,
      summary: { operations: model.operations.length, specBytes, warnings: model.warnings.length },
    };
    if ((await writeManifest(options.out, manifest, check)) && check) written.written.push(MANIFEST);
  }
  phase("write", started);
  const inputs = [...new Set([path.resolve(specPath), ...loaded.files.filter((f) => !isRemote(f)).map((f) => path.resolve(f))])].sort();
  return { ...written, fastPath: false, model, specBytes, warnings: model.warnings, files, inputs };
}

export { formatDiagnostic };
