/**
 * `symphony.config.{ts,mts,mjs,js,json}`: what `symphony-codegen generate` generates when it is
 * given no spec argument, and the defaults for the options it is given none of.
 *
 * Importing this module costs nothing: zod (validation) and typescript (a .ts config) are loaded
 * only when a config file is read, and typescript only when the transpiled text is not cached.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { displayPath } from "./diagnostics.js";
import { DEFAULT_RUNTIME_IMPORT, emitConflict, EMITTERS, type EmitOptions, type GenerateOptions } from "./generate.js";
import type { NamingOptions } from "./model.js";

/** Options that apply to one document; at the top level of a config, the defaults for every entry of `specs`. */
export interface SharedConfig {
  /** Module the generated code imports the runtime from (default `@symphony-codegen/runtime`). */
  runtimeImport?: string;
  /** Treat every structural problem in the document as an error. */
  strict?: boolean;
  /** Follow http(s) `$ref`s. */
  allowRemoteRefs?: boolean;
  /** Name overrides: `{ operations: { listPets: "findAllPets" } }`. */
  naming?: NamingOptions;
  /** Optional outputs, each on unless false: `{ client: false }`. */
  emit?: EmitOptions;
}

/** One document and where its code goes. */
export interface SpecConfig extends SharedConfig {
  /** openapi.yaml or .json, relative to the config file. */
  spec: string;
  /** Output directory, relative to the config file. */
  out: string;
}

export interface SymphonyConfig extends SharedConfig {
  /** JSON schema reference, for editors (ignored). */
  $schema?: string;
  /** The document (relative to the config file); or `specs` for several. */
  spec?: string;
  /** Output directory for `spec` (relative to the config file). */
  out?: string;
  /** Several documents, each with its own `out`; the top-level options are their defaults. */
  specs?: SpecConfig[];
}

/** Types a config: `export default defineConfig({ spec: "openapi.yaml", out: "src/generated" })`. */
export function defineConfig(config: SymphonyConfig): SymphonyConfig {
  return config;
}

/** A config file that cannot be read or is not valid; the message names the file and the field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Looked for in this order in the working directory. */
export const CONFIG_FILES = ["symphony.config.ts", "symphony.config.mts", "symphony.config.mjs", "symphony.config.js", "symphony.config.json"];

/** The config file of a directory; undefined when there is none, an error when there are several. */
export function findConfig(dir: string): string | undefined {
  const found = CONFIG_FILES.filter((name) => existsSync(path.join(dir, name)));
  if (found.length > 1) throw new ConfigError(`found ${found.join(" and ")} in ${displayPath(dir) || "."}: keep one, or choose with --config <file>`);
  return found.length === 1 ? path.resolve(dir, found[0]!) : undefined;
}

/** Reads, imports and validates a config file. */
export async function loadConfig(file: string): Promise<SymphonyConfig> {
  const absolute = path.resolve(file);
  const shown = displayPath(absolute);
  if (!existsSync(absolute)) throw new ConfigError(`${shown}: config file not found`);
  let value: unknown;
  if (/\.json$/i.test(absolute)) {
    const text = await readFile(absolute, "utf8");
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${shown}: not valid JSON: ${(err as Error).message}`);
    }
  } else if (/\.(ts|mts)$/i.test(absolute)) {
    value = await importTypeScript(absolute, shown);
  } else if (/\.(mjs|js|cjs)$/i.test(absolute)) {
    // A query makes a changed file (--watch) a new module instead of the cached one.
    value = await importDefault(`${pathToFileURL(absolute).href}?t=${Date.now()}`, shown);
  } else {
    throw new ConfigError(`${shown}: unknown config file type (use .ts, .mts, .mjs, .js or .json)`);
  }
  return validateConfig(value, shown);
}

async function importDefault(url: string, shown: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (err) {
    throw new ConfigError(`${shown}: could not be loaded: ${(err as Error).message}`);
  }
  if (module.default === undefined) throw new ConfigError(`${shown}: no default export (export default defineConfig({ spec: ..., out: ... }))`);
  const value = module.default;
  return typeof value === "function" ? await (value as () => unknown)() : value;
}

/** Changes when the transpile settings below do (invalidates cached output). */
const TRANSPILE_KEY = "esnext/es2022/1";

/** `node_modules/.cache/symphony-codegen` of the nearest node_modules above `dir` (where tools keep caches); none without one. */
function cacheDirFor(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    if (existsSync(path.join(at, "node_modules"))) return path.join(at, "node_modules", ".cache", "symphony-codegen");
    if (path.dirname(at) === at) return undefined;
  }
}

/**
 * Node 20 does not run TypeScript: the config is transpiled with the `typescript` package
 * (`transpileModule`, types erased, no type check) to an .mjs next to it, so that its imports
 * (`symphony-codegen`, relative files) resolve as they would from the config, imported and removed.
 * The transpiled text is cached by content hash in node_modules/.cache, so the ~1 s that loading
 * typescript costs is paid once per config edit, not per run.
 */
async function importTypeScript(file: string, shown: string): Promise<unknown> {
  const source = await readFile(file, "utf8");
  const cacheDir = cacheDirFor(path.dirname(file));
  const key = createHash("sha256").update(TRANSPILE_KEY).update("\0").update(file).update("\0").update(source).digest("hex");
  const cached = cacheDir && path.join(cacheDir, `config-${key}.mjs`);
  let code: string | undefined;
  try {
    code = cached ? await readFile(cached, "utf8") : undefined;
  } catch {
    code = undefined;
  }
  if (code === undefined) {
    const { default: ts } = await import("./typescript.cjs");
    const result = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: false },
    });
    const problems = result.diagnostics ?? [];
    if (problems.length > 0) {
      const lines = problems.map((d) => {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${shown}${at ? `:${at.line + 1}:${at.character + 1}` : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
      throw new ConfigError(lines.join("\n"));
    }
    code = result.outputText;
    if (cacheDir && cached) {
      try {
        await mkdir(cacheDir, { recursive: true });
        await writeFile(cached, code);
      } catch {
        // No cache: the next run transpiles again.
      }
    }
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${Date.now().toString(36)}.mjs`);
  await writeFile(temporary, code);
  try {
    return await importDefault(pathToFileURL(temporary).href, shown);
  } finally {
    await rm(temporary, { force: true });
  }
}
type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };

function fieldName(issuePath: PropertyKey[]): string {
  return issuePath.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** The config's fields, checked with zod (loaded here, not when the CLI starts). */
async function validateConfig(value: unknown, shown: string): Promise<SymphonyConfig> {
  const { z } = await import("zod");
  const text = z.string().min(1, "must not be empty");
  const emit = z.strictObject({ client: z.boolean().optional(), register: z.boolean().optional(), spec: z.boolean().optional(), webhooks: z.boolean().optional() } satisfies Record<(typeof EMITTERS)[number], unknown>);
  const naming = z.strictObject({
    operations: z.record(z.string(), z.string().regex(/[A-Za-z]/, "must contain a letter (it becomes a handler and type name)")).optional(),
  });
  const shared = {
    runtimeImport: text.optional(),
    strict: z.boolean().optional(),
    allowRemoteRefs: z.boolean().optional(),
    naming: naming.optional(),
    emit: emit.optional(),
  };
  const entry = z.strictObject({ spec: text, out: text, ...shared });
  const schema = z
    .strictObject({ $schema: z.string().optional(), spec: text.optional(), out: text.optional(), specs: z.array(entry).min(1, "must list at least one spec").optional(), ...shared })
    .superRefine((config, ctx) => {
      if (config.spec !== undefined && config.specs !== undefined) ctx.addIssue({ code: "custom", path: ["specs"], message: "set either spec (one document) or specs (several), not both" });
      if (config.spec === undefined && config.specs === undefined) ctx.addIssue({ code: "custom", path: ["spec"], message: "missing: set spec (and out), or specs" });
      if (config.specs !== undefined && config.out !== undefined) ctx.addIssue({ code: "custom", path: ["out"], message: "with specs, each entry has its own out" });
      const conflicts: [PropertyKey[], EmitOptions | undefined][] = [
        [["emit"], config.emit],
        ...(config.specs ?? []).map((s, i): [PropertyKey[], EmitOptions | undefined] => [["specs", i, "emit"], { ...config.emit, ...s.emit }]),
      ];
      for (const [at, options] of conflicts) {
        const conflict = emitConflict(options);
        if (conflict) ctx.addIssue({ code: "custom", path: at, message: conflict });
      }
    });
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(`${shown}: expected an object ({ "spec": ..., "out": ... }), got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as SymphonyConfig;
  const lines = (parsed.error.issues as Issue[]).map((issue) => {
    const field = fieldName(issue.path);
    const message =
      issue.code === "unrecognized_keys" && issue.keys
        ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}${knownFields(field) ? ` (known: ${knownFields(field)})` : ""}`
        : issue.message.replace(/^Invalid input: /, "");
    return `${shown}: ${field ? `field "${field}"` : "config"}: ${message}`;
  });
  throw new ConfigError(lines.join("\n"));
}

function knownFields(field: string): string | undefined {
  const shared = ["runtimeImport", "strict", "allowRemoteRefs", "naming", "emit"];
  const last = field.replace(/^specs\[\d+\]\.?/, "");
  if (last === "emit") return EMITTERS.join(", ");
  if (last === "naming") return "operations";
  if (field === "") return ["spec", "out", "specs", ...shared].join(", ");
  if (/^specs\[\d+\]$/.test(field)) return ["spec", "out", ...shared].join(", ");
  return undefined;
}

/** What the command line sets; each set value wins over the config's. */
export interface CliOverrides {
  spec?: string;
  out?: string;
  runtimeImport?: string;
  strict?: boolean;
  allowRemoteRefs?: boolean;
}

/** One generation to run: the document, and the options (out included) to run it with. */
export interface Target {
  spec: string;
  options: GenerateOptions;
}

const defined = <T extends object>(value: T): Partial<T> => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The generations a command line asks for: without a config, its spec and --out; with one, the
 * config's documents (paths relative to the config file), the command line's values winning.
 */
export function resolveTargets(cli: CliOverrides, config?: { file: string; config: SymphonyConfig }): Target[] {
  const flags = defined({ runtimeImport: cli.runtimeImport, strict: cli.strict, allowRemoteRefs: cli.allowRemoteRefs });
  if (!config) {
    if (!cli.spec) throw new ConfigError(`no spec: run "symphony-codegen generate <spec> --out <dir>", or put the options in a ${CONFIG_FILES.at(-1)} (or .ts) in this directory`);
    if (!cli.out) throw new ConfigError(`required option '-o, --out <dir>' not specified (or put spec and out in a ${CONFIG_FILES.at(-1)})`);
    return [{ spec: cli.spec, options: { out: cli.out, runtimeImport: DEFAULT_RUNTIME_IMPORT, ...flags } }];
  }
  const { file, config: c } = config;
  const base = path.dirname(file);
  const shown = displayPath(file);
  const fromConfig = (p: string) => path.resolve(base, p);
  const merge = (entry: SpecConfig): Target => {
    const emit = { ...c.emit, ...entry.emit };
    const operations = { ...c.naming?.operations, ...entry.naming?.operations };
    const options: GenerateOptions = {
      out: cli.out ?? fromConfig(entry.out),
      runtimeImport: entry.runtimeImport ?? c.runtimeImport ?? DEFAULT_RUNTIME_IMPORT,
      ...defined({ strict: entry.strict ?? c.strict, allowRemoteRefs: entry.allowRemoteRefs ?? c.allowRemoteRefs }),
      ...flags,
    };
    if (Object.keys(emit).length > 0) options.emit = emit;
    if (Object.keys(operations).length > 0) options.naming = { operations };
    return { spec: fromConfig(entry.spec), options };
  };
  let entries: SpecConfig[];
  if (c.specs) entries = c.specs;
  else {
    if (c.out === undefined && cli.out === undefined) throw new ConfigError(`${shown}: field "out": missing (the output directory for ${c.spec})`);
    entries = [{ spec: c.spec!, out: c.out ?? cli.out! }];
  }
  if (cli.spec !== undefined) {
    // A spec on the command line: the config entry for that document if there is one, else the config's options for it.
    const wanted = path.resolve(cli.spec);
    const match = entries.find((e) => fromConfig(e.spec) === wanted);
    if (match) entries = [match];
    else if (entries.length === 1) entries = [{ ...entries[0]!, spec: wanted }];
    else throw new ConfigError(`${cli.spec} is not one of the specs in ${shown} (${entries.map((e) => e.spec).join(", ")})`);
  }
  if (cli.out !== undefined && entries.length > 1) throw new ConfigError(`--out with ${entries.length} specs in ${shown}: pass a spec too, or set out per entry`);
  const targets = entries.map(merge);
  const outs = new Map<string, string>();
  for (const t of targets) {
    const out = path.resolve(t.options.out);
    const other = outs.get(out);
    if (other) throw new ConfigError(`${shown}: ${displayPath(other)} and ${displayPath(t.spec)} both write to ${displayPath(out)}`);
    outs.set(out, t.spec);
  }
  return targets;
}
