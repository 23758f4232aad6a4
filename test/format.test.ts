/**
 * The formatter passes statements the emitters printed themselves through and formats the rest
 * with prettier; the result must be byte-identical to prettier's output for the whole source.
 */
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { formatTypeScript, formattedStatement, joinStatements, PRETTIER_OPTIONS, STATEMENT_BREAK } from "../generator/format.js";

/** Statements of the kinds emitters write: long unions, objects, comments, blank-line runs. */
function statements(count: number): string[] {
  const out: string[] = ['import * as rt from "@symphony-codegen/runtime";', ""];
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

  it("with statements the emitter printed itself: those pass through, the rest is prettier's, byte-identical to prettier on the whole", async () => {
    const list = statements(300);
    const whole = list.join("\n");
    const expected = await prettier.format(whole, PRETTIER_OPTIONS);
    // Every third statement arrives printed (as prettier prints it on its own, with the blank line after it kept).
    const mixed = await Promise.all(
      list.map(async (s, i) => {
        if (i % 3 !== 0 || !/\S/.test(s)) return s;
        const printed = await prettier.format(s, PRETTIER_OPTIONS);
        return formattedStatement(/\n[ \t]*$/.test(s) ? printed : printed.replace(/\n$/, ""));
      }),
    );
    expect(mixed.filter((s) => s.startsWith(formattedStatement(""))).length).toBeGreaterThan(100);
    expect(await formatTypeScript(joinStatements(mixed))).toBe(expected);
    expect(await formatTypeScript(joinStatements(list))).toBe(expected);
    expect(await formatTypeScript(whole)).toBe(expected);
  }, 120_000);

  it("reports a syntax error instead of writing broken output", async () => {
    await expect(formatTypeScript(joinStatements([...statements(20), "export const broken = {;"]))).rejects.toThrow(/expected/);
  });
});
