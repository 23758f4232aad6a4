/**
 * Replaces one generated section of a Markdown document, between `<!-- <name>:start -->` and
 * `<!-- <name>:end -->`, leaving the rest (prose, other scripts' sections) as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";

export function writeDocSection(file: string, name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(file, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} section`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n${body.trim()}\n${text.slice(to)}`);
}
