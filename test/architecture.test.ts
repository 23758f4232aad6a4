/**
 * Imports point one way (docs/architecture.md): the generator's CLI may start the local platform
 * (dev/), both may use the runtime, and the runtime uses neither — nor any package it does not
 * declare, since it is published on its own. Read from the sources with TypeScript's own
 * pre-processor, so dynamic `import()`s count too.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const RUNTIME_PACKAGE = "@symphony-codegen/runtime";

/** Top-level part of the repository a file belongs to, and what each part may import. */
type Part = "generator" | "cli" | "dev" | "runtime" | "runtime/core";

export interface Import {
  /** Repository-relative importing file. */
  from: string;
  specifier: string;
}

function partOf(file: string): Part | undefined {
  if (file.startsWith("runtime/core/")) return "runtime/core";
  if (file.startsWith("runtime/")) return "runtime";
  if (file.startsWith("generator/commands/")) return "cli";
  if (file.startsWith("generator/")) return "generator";
  if (file.startsWith("dev/")) return "dev";
  return undefined;
}

const BUILTINS = new Set(builtinModules);
const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** Why one import breaks the layering, or undefined when it is allowed. */
export function violation({ from, specifier }: Import, runtimeDependencies: ReadonlySet<string>): string | undefined {
  const part = partOf(from);
  if (!part) return undefined;
  if (specifier.startsWith(".")) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    const to = partOf(target) ?? target.split("/")[0];
    const allowed: Record<Part, readonly string[]> = {
      "runtime/core": ["runtime/core"],
      runtime: ["runtime", "runtime/core"],
      dev: ["dev"],
      generator: ["generator", "cli"],
      cli: ["cli", "generator", "dev"],
    };
    if (!allowed[part].includes(to as Part)) return `${from} imports ${specifier} (${to}): ${part} may import only ${allowed[part].join(", ")}`;
    return undefined;
  }
  if (specifier.startsWith("node:") || BUILTINS.has(specifier)) return undefined;
  if (part === "runtime" || part === "runtime/core") {
    if (!runtimeDependencies.has(packageName(specifier))) return `${from} imports ${specifier}, which the runtime package does not declare`;
  } else if (specifier.startsWith("symphony-codegen")) return `${from} imports the root package ${specifier}`;
  return undefined;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((f) => !/(^|\/)(dist|node_modules)\//.test(f));
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(path.join(ROOT, file), "utf8"), true, true);
  return info.importedFiles.map((f) => ({ from: file, specifier: f.fileName }));
}

const runtimePackage = JSON.parse(readFileSync(path.join(ROOT, "runtime/package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
// Peer dependencies count: the app provides them (one @opentelemetry/api for the app's SDK and the runtime).
const RUNTIME_DEPENDENCIES = new Set(
  [runtimePackage.dependencies, runtimePackage.optionalDependencies, runtimePackage.peerDependencies].flatMap((deps) => Object.keys(deps ?? {})),
);

describe("import direction", () => {
  const files = ["generator", "dev", "runtime"].flatMap(sources);

  it("reads every product source", () => {
    for (const part of ["generator/cli.ts", "generator/commands/dev.ts", "dev/gateway.ts", "runtime/serve/serve.ts", "runtime/core/own.ts"])
      expect(files).toContain(part);
  });

  it("the runtime uses neither the generator nor dev/, the platform not the generator; the CLI alone starts dev/", () => {
    const found = files
      .flatMap(importsOf)
      .map((i) => violation(i, RUNTIME_DEPENDENCIES))
      .filter(Boolean);
    expect(found).toEqual([]);
  });

  it("the check refuses each kind of upward or sideways import", () => {
    const check = (from: string, specifier: string) => violation({ from, specifier }, RUNTIME_DEPENDENCIES);
    expect(check("runtime/serve/serve.ts", "../../generator/model.js")).toMatch(/runtime may import only/);
    expect(check("runtime/serve/serve.ts", "../../dev/gateway.js")).toMatch(/runtime may import only/);
    expect(check("runtime/core/own.ts", "../serve/envelope.js")).toMatch(/runtime\/core may import only/);
    expect(check("runtime/sdk/token.ts", "prettier")).toMatch(/does not declare/);
    expect(check("dev/gateway.ts", "../generator/model.js")).toMatch(/dev may import only/);
    expect(check("generator/emit/zod.ts", "../../dev/server.js")).toMatch(/generator may import only/);
    expect(check("generator/commands/dev.ts", "../../dev/server.js")).toBeUndefined();
    expect(check("dev/gateway.ts", `${RUNTIME_PACKAGE}/internal/serve/envelope.js`)).toBeUndefined();
    expect(check("runtime/serve/serve.ts", "nats")).toBeUndefined();
    expect(check("runtime/serve/serve.ts", "node:zlib")).toBeUndefined();
  });
});

describe("docs/architecture.md matches the tree", () => {
  const doc = readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8");
  const exists = (p: string) => existsSync(path.join(ROOT, p));

  it("every path it names exists", () => {
    const named = [...doc.matchAll(/(?<![\w./-])((?:generator|dev|runtime|examples|fixtures|test|bench|scripts|docs)\/[\w./-]*[\w])/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((p) => !exists(p))).toEqual([]);
  });

  it("names every runtime folder, every request-path module, every emitter and every conformance module", () => {
    const folders = readdirSync(path.join(ROOT, "runtime"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !["dist", "node_modules"].includes(e.name))
      .map((e) => `${e.name}/`);
    expect(folders.sort()).toEqual(["client/", "core/", "sdk/", "serve/"]);
    for (const folder of folders) expect(doc).toContain(folder);
    const named = (dir: string) => readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".ts") && !doc.includes(f));
    expect(named("runtime/serve")).toEqual([]);
    expect(named("generator/emit")).toEqual([]);
    expect(named("generator/conformance")).toEqual([]);
  });
});
