/**
 * The spec's generated code, ready to import: the real pipeline (load → model → emitFiles, the same
 * emitters as `generate`), with the runtime imported from where this CLI resolves it, each module
 * transpiled to JavaScript by TypeScript's `transpileModule` and written into a content-addressed
 * cache directory. Only what `register.js` imports is transpiled: types.ts and handlers.ts (most of
 * the text, nothing at run time) are not, which halves the transpiling of a large spec. The mock then
 * serves through the generated `register()`: decoding, validation, metadata and response checks are
 * exactly those of a real extension.
 */
import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Extension, OperationSpec, RegisterOptions } from "@symphony-codegen/runtime";
import ts from "../typescript.cjs";
import { emitFiles } from "../generate.js";
import { loadSpec, type LoadOptions } from "../load.js";
import { buildModel, type ApiModel } from "../model.js";

/** What the mock uses of the generated register and operations modules. */
export interface GeneratedApi {
  register(ext: Extension, handlers: object, options?: RegisterOptions): Promise<unknown>;
  operationTable: readonly OperationSpec[];
  service: { name: string; version: string; description: string };
}

export interface CompiledApi {
  model: ApiModel;
  api: GeneratedApi;
  /** Where the transpiled modules are. */
  dir: string;
}

/** The runtime this CLI runs with, as a URL the generated modules import (they live outside any node_modules). */
const RUNTIME_URL = import.meta.resolve("@symphony-codegen/runtime");

const COMPILER_OPTIONS = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true } as const;

/** Generates, transpiles and imports the code for a spec; a spec problem throws SpecError, as `generate` does. */
export async function compileApi(specPath: string, options: LoadOptions = {}, cacheRoot = defaultCacheRoot()): Promise<CompiledApi> {
  const model = buildModel(await loadSpec(specPath, options));
  // No client, no webhooks: a mock serves the API's operations only.
  const { files } = await emitFiles(model, RUNTIME_URL, undefined, { client: false, webhooks: false });
  const modules = transpileFrom("register.js", new Map(files.map((f) => [f.name.replace(/\.ts$/, ".js"), f.content])));
  const hash = createHash("sha256");
  for (const m of modules) hash.update(`${m.name}\0${m.text}\0`);
  const dir = path.join(cacheRoot, hash.digest("hex").slice(0, 20));
  await mkdir(dir, { recursive: true });
  // Written aside and renamed: another mock of the same spec may be importing these files right now.
  await Promise.all(
    modules.map(async (m) => {
      const temporary = path.join(dir, `${m.name}.${process.pid}.tmp`);
      await writeFile(temporary, m.text);
      await rename(temporary, path.join(dir, m.name));
    }),
  );
  const load = (name: string) => import(pathToFileURL(path.join(dir, name)).href);
  const [{ register, service }, { operationTable }] = await Promise.all([load("register.js"), load("operations.js")]);
  return { model, api: { register, service, operationTable } as GeneratedApi, dir };
}

/** The module `entry` and every module its JavaScript imports (type-only imports are gone by then), transpiled. */
function transpileFrom(entry: string, sources: ReadonlyMap<string, string>): { name: string; text: string }[] {
  const modules = new Map<string, string>();
  const pending = [entry];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (modules.has(name)) continue;
    const source = sources.get(name);
    if (source === undefined) throw new Error(`generated module ${name} is missing (imported from ${entry}'s graph)`);
    const text = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: name.replace(/\.js$/, ".ts") }).outputText;
    modules.set(name, text);
    for (const m of text.matchAll(/\b(?:from|import)\s*["']\.\/([\w.-]+\.js)["']/g)) pending.push(m[1]!);
  }
  return [...modules].map(([name, text]) => ({ name, text }));
}

/** Per user, so that one user's cache never blocks another's. */
function defaultCacheRoot(): string {
  return path.join(os.tmpdir(), `symphony-codegen-mock-${os.userInfo().uid}`);
}
