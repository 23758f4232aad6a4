/**
 * index.ts names every runtime type the unchecked generated files (`// @ts-nocheck`) use, so a
 * runtime that lacks one fails the user's build instead of leaving those types `any`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { emitIndex, UNCHECKED_RUNTIME_TYPES } from "../generator/emit/register.js";
import { exampleSpecs } from "./helpers/specs.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const EXAMPLES = exampleSpecs().map((e) => e.name);
const UNCHECKED = ["schemas", "operations", "handlers", "client"];
const listed = new Set(UNCHECKED_RUNTIME_TYPES.map((t) => t.replace(/<.*$/, "")));

/** Type-checks index.ts against a runtime declaring `names` only; the diagnostics' text. */
function checkAgainst(names: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "runtime-guard-"));
  writeFileSync(path.join(dir, "fake-runtime.d.ts"), names.map((n) => `export type ${n}<T = unknown> = { t: T };`).join("\n"));
  writeFileSync(path.join(dir, "index.ts"), emitIndex([], "./fake-runtime.js"));
  const program = ts.createProgram([path.join(dir, "index.ts")], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("index.ts guards the unchecked files' runtime types", () => {
  it("lists every runtime type the examples' unchecked files name", () => {
    const used = new Set<string>();
    for (const example of EXAMPLES)
      for (const file of UNCHECKED) {
        const text = readFileSync(path.join(ROOT, "examples", example, "src/generated", `${file}.ts`), "utf8");
        expect(text).toContain("// @ts-nocheck");
        for (const m of text.matchAll(/\brt\.([A-Z]\w*)/g)) used.add(m[1]!);
      }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !listed.has(name))).toEqual([]);
  });

  it("a runtime with every listed type compiles; one missing a type is an error naming it", () => {
    expect(checkAgainst([...listed])).toEqual([]);
    const errors = checkAgainst([...listed].filter((n) => n !== "RequestOf"));
    expect(errors.join("\n")).toMatch(/has no exported member 'RequestOf'/);
  });
});
