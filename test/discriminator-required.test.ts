/**
 * A child that lists its parent's discriminator property in `required` without declaring it
 * (fixtures/defects/discriminator-required.yaml, as Azure's descriptions do) is typed with that
 * property once, as its literal: tsc --strict passes over every output file, `@ts-nocheck` stripped.
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../generator/index.js";
import { ROOT } from "./helpers/specs.js";
import { stripUnchecked, typeCheck } from "./helpers/tsc.js";

const OUT = path.join(ROOT, "test/.tmp/discriminator-required");
let types = "";

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  const result = await generate(path.join(ROOT, "fixtures/defects/discriminator-required.yaml"), { out: path.join(OUT, "generated") });
  await stripUnchecked(
    path.join(OUT, "generated"),
    result.files.map((f) => f.name),
  );
  types = await readFile(path.join(OUT, "generated/types.ts"), "utf8");
});

describe("required discriminator properties of discriminated children", () => {
  it("are declared once, as the child's literal", () => {
    const child = /VMwareCbtMigrateInput: \{([^}]*)\}/.exec(types)?.[1] ?? "";
    expect(child.match(/instanceType/g)).toHaveLength(1);
    expect(child).toContain('instanceType: "VMwareCbtMigrateInput"');
    expect(child).toMatch(/performShutdown: string/);
  });

  it("compile under tsc --strict", async () => {
    expect(await typeCheck(OUT, ["generated/*.ts"])).toBe("");
  }, 60_000);
});
