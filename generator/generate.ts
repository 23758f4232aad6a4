/**
 * The pipeline: load → model → emit → format → write.
 *
 * The heavy modules (the loader with @redocly/openapi-core, the emitters with openapi-typescript,
 * prettier) are imported on first use only, so the no-op path (`incremental`: inputs, options,
 * generator and outputs all hash as the manifest in the output directory records) costs a few
 * file reads and hashes, not seconds of module loading.
 */
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostic, type Diagnostic } from "./diagnostics.js";
import type { LoadOptions } from "./load.js";
import type { ApiModel } from "./model.js";
import {
  checkOutputDirectory,
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
}

/** The no-op result: the output directory was already what generation would produce; nothing was read beyond hashes, nothing written. */
export interface UpToDateResult extends WriteResult {
  fastPath: true;
  /** Operations, spec size and warning count recorded by the last full run. */
  operations: number;
  specBytes: number;
  warningCount: number;
}

export const DEFAULT_RUNTIME_IMPORT = "@symphony-codegen/runtime";

/** Outputs whose bodies users' builds need not type-check (see UNCHECKED in write.ts). */
const UNCHECKED_FILES = new Set(["schemas", "operations"]);

/** Emits and formats every output file for a model (no I/O). */
export async function emitFiles(
  model: ApiModel,
  runtimeImport = DEFAULT_RUNTIME_IMPORT,
  onPhase?: (phase: Phase, ms: number) => void,
): Promise<{ files: OutputFile[]; specBytes: number }> {
  let started = performance.now();
  const [{ emitClient }, { emitHandlers }, { emitOperations, emitSchemas }, { emitIndex, emitRegister, emitSpec }, { emitTypes }, { ZodEmitter }, { formatTypeScript }] =
    await Promise.all([
      import("./emit/client.js"),
      import("./emit/handlers.js"),
      import("./emit/operations.js"),
      import("./emit/register.js"),
      import("./emit/types.js"),
      import("./emit/zod.js"),
      import("./format.js"),
    ]);
  const zod = new ZodEmitter(model.document, model.openapiVersion);
  zod.emitComponents(model.schemas);
  // Operations reference components through the schemas module; any newly met `$ref` lands there too.
  const operations = emitOperations(model, zod, runtimeImport);
  const specJson = JSON.stringify(model.document);
  const ours: [string, string][] = [
    ["schemas", emitSchemas(zod, runtimeImport)],
    ["operations", operations],
    ["handlers", emitHandlers(model, runtimeImport)],
    ["register", emitRegister(model, runtimeImport)],
    ["client", emitClient(model, runtimeImport)],
  ];
  // types.ts comes printed in prettier's layout (generator/print/); so do most statements of
  // the others, and prettier formats only what no printer knows.
  const types = await emitTypes(model);
  onPhase?.("emit", performance.now() - started);
  started = performance.now();
  const sources: [string, string][] = [["types", types], ...(await Promise.all(ours.map(async ([name, source]): Promise<[string, string]> => [name, await formatTypeScript(source)])))];
  onPhase?.("format", performance.now() - started);
  const formatted = sources.map(([name, text]) => ({ name: `${name}.ts`, content: withHeader(text, { unchecked: UNCHECKED_FILES.has(name) }) }));
  const spec = { name: "spec.ts", content: withHeader(emitSpec(specJson, runtimeImport)) };
  const names = [...sources.map(([n]) => n), "spec"];
  const files = [...formatted, spec, { name: "index.ts", content: withHeader(emitIndex(names)) }].sort((a, b) => a.name.localeCompare(b.name));
  return { files, specBytes: Buffer.byteLength(specJson) };
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Packages whose version can change the generated text. */
const SHAPING_PACKAGES = ["openapi-typescript", "prettier", "@redocly/openapi-core", "swagger2openapi", "typescript", "zod", "fflate"];
let fingerprintCache: Promise<string> | undefined;

/**
 * sha256 over the generator's own code (this directory, recursively: .js or .ts) and the versions
 * of the packages that shape its output: any change to either invalidates every manifest.
 */
export function generatorFingerprint(): Promise<string> {
  fingerprintCache ??= (async () => {
    const parts: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) await walk(file);
        else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith(".d.ts")) parts.push(path.relative(HERE, file), sha256(await readFile(file)));
      }
    };
    await walk(HERE);
    const require = createRequire(import.meta.url);
    for (const name of SHAPING_PACKAGES) {
      let version = "?";
      try {
        version = (JSON.parse(await readFile(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
      } catch {
        // Not resolvable by its package.json: the generator's own hash still covers our code.
      }
      parts.push(name, version);
    }
    return sha256(parts.join("\0"));
  })();
  return fingerprintCache;
}

function manifestOptions(options: GenerateOptions): Record<string, string | boolean> {
  return {
    runtimeImport: options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
    strict: options.strict ?? false,
    allowRemoteRefs: options.allowRemoteRefs ?? false,
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
  const expected = { fingerprint: await generatorFingerprint(), options: manifestOptions(options), spec: manifestPath(options.out, specPath) };
  if (options.incremental) {
    const manifest = await upToDate(options.out, expected);
    started = phase("check", started);
    if (manifest) {
      return {
        fastPath: true,
        written: [],
        unchanged: Object.keys(manifest.outputs),
        removed: [],
        operations: manifest.summary.operations,
        specBytes: manifest.summary.specBytes,
        warningCount: manifest.summary.warnings,
      };
    }
  }
  const [{ loadSpec }, { buildModel }] = await Promise.all([import("./load.js"), import("./model.js")]);
  const loaded = await loadSpec(specPath, options);
  started = phase("load", started);
  const model = buildModel(loaded);
  phase("model", started);
  const { files, specBytes } = await emitFiles(model, options.runtimeImport, options.onPhase);
  started = performance.now();
  const check = options.check ?? false;
  const written = await writeOutput(options.out, files, check);
  // Remote references cannot be hashed: such outputs always take the full path.
  const local = loaded.files.every((f) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(f));
  if (!check && local) {
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
    await writeManifest(options.out, manifest);
  }
  phase("write", started);
  return { ...written, fastPath: false, model, specBytes, warnings: model.warnings, files };
}

export { formatDiagnostic };
