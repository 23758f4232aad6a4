/**
 * prettier's measure of a string's width (East Asian wide characters count 2, emoji 2, combining
 * marks 0), which decides where its lines break. ASCII text is measured here; anything else by
 * prettier's own function, loaded on first use: a document in plain ASCII never loads prettier.
 */
import { createRequire } from "node:module";

let prettierWidth: ((text: string) => number) | undefined;

export function stringWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  prettierWidth ??= (createRequire(import.meta.url)("prettier") as typeof import("prettier")).util.getStringWidth;
  return prettierWidth(text);
}
