/**
 * operations.ts imports `z` when only a parameter's schema uses it and prettier breaks its chain
 * after `z` (`z\n  .string()`), fixtures/zod-import.yaml (issue 14, item 4): imports are decided
 * from the statements' syntax tree, not their printed text. Checked as users' builds would meet
 * it without `@ts-nocheck`, and run.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../generator/index.js";
import { UNCHECKED } from "../generator/write.js";
import { referencedNames } from "../generator/print/references.js";
import { ROOT } from "./helpers/specs.js";
import { typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/zod-import");
let operations: string;

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await generate(path.join(ROOT, "fixtures/zod-import.yaml"), { out: path.join(OUT, "generated") });
  for (const file of ["operations.ts", "schemas.ts"]) {
    const target = path.join(OUT, "generated", file);
    await writeFile(target, (await readFile(target, "utf8")).replace(UNCHECKED + "\n", ""));
  }
  operations = await readFile(path.join(OUT, "generated/operations.ts"), "utf8");
});

describe("imports of operations.ts", () => {
  it("the parameter's chain is broken after `z`, its only use, and `z` is imported", () => {
    // The schema thunk closes the parameter's row (rt.ParamRow).
    expect(operations).toMatch(/\(\) =>\n\s+z\n\s+\.string\(\)/);
    expect(operations).not.toMatch(/\bz\./);
    expect(operations).toContain('import { z } from "@symphony-codegen/runtime";');
  });

  it("compiles under tsc --strict without @ts-nocheck", async () => {
    expect(await typeCheck(OUT, ["generated/*.ts"])).toBe("");
  }, 60_000);

  it("builds and runs the parameter's schema", async () => {
    const { operationTable } = await import(pathToFileURL(path.join(OUT, "generated/operations.ts")).href);
    const schema = operationTable[0].params[0].schema();
    expect(schema.parse(undefined)).toBe("symphony");
    expect(schema.parse("jazz AND blues")).toBe("jazz AND blues");
    expect(schema.safeParse("~").success).toBe(false);
  });

  it("referencedNames: names in value and type position, not property or member names", () => {
    const names = referencedNames("export const t: readonly rt.Spec[] = [{ z: schemas.z, s: () => z\n  .string() }];");
    expect([...names].sort()).toEqual(["rt", "schemas", "z"]);
    expect([...referencedNames("export const a = { rt: b.z };")].sort()).toEqual(["b"]);
  });
});
