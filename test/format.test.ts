/**
 * The formatter splits large outputs at STATEMENT_BREAK and formats the pieces on worker
 * threads; the result must be byte-identical to prettier's output for the whole source.
 */
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { createFormatter, formatTypeScript, joinStatements, PRETTIER_OPTIONS, STATEMENT_BREAK } from "../generator/format.js";

/** Statements of the kinds emitters write: long unions, objects, comments, blank-line runs. */
function statements(count: number): string[] {
  const out: string[] = ['import * as rt from "symphony-codegen/runtime";', ""];
  for (let i = 0; i < count; i++) {
    const union = Array.from({ length: 3 + (i % 9) }, (_, k) => `"value_${i}_${k}"`).join(" | ");
    out.push(`// GET /items/{id}/${i}`);
    out.push(`export type Kind${i} = ${union};\n`);
    out.push(`/** Item ${i}: a comment that stays with its statement. */\nexport interface Item${i} { id: number; kind: Kind${i}; tags?: string[]; nested: { a: string; b: { c: boolean } } }`);
    if (i % 7 === 0) out.push("", "");
    out.push(`export const table${i}: readonly unknown[] = [{ name: "n${i}", in: "query", required: true, style: "form", explode: true }, { name: "m${i}" }];`);
  }
  return out;
}

describe("formatter", () => {
  it("in this thread: the break markers are removed and the result is prettier's", async () => {
    const source = joinStatements(statements(20));
    expect(source).toContain(STATEMENT_BREAK);
    const expected = await prettier.format(source.split(STATEMENT_BREAK).join("\n"), PRETTIER_OPTIONS);
    expect(await formatTypeScript(source)).toBe(expected);
  });

  it("on worker threads, split into pieces: byte-identical to prettier on the whole source", async () => {
    const source = joinStatements(statements(900));
    // Several pieces of PIECE_BYTES (128 KiB) each.
    expect(source.length).toBeGreaterThan(300 * 1024);
    const whole = source.split(STATEMENT_BREAK).join("\n");
    const expected = await prettier.format(whole, PRETTIER_OPTIONS);
    // Told to expect a large output, so it uses workers even for this one.
    const formatter = createFormatter(8 * 1024 * 1024);
    try {
      const [split, unsplit] = await Promise.all([formatter.format(source), formatter.format(whole)]);
      expect(split).toBe(expected);
      expect(unsplit).toBe(expected);
    } finally {
      await formatter.close();
    }
  }, 120_000);

  it("reports a syntax error in a piece instead of writing broken output", async () => {
    const formatter = createFormatter(4 * 1024 * 1024);
    try {
      await expect(formatter.format(joinStatements([...statements(600), "export const broken = {;"]))).rejects.toThrow(/prettier/);
    } finally {
      await formatter.close();
    }
  }, 120_000);
});
