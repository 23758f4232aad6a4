/**
 * Literals as prettier 3 prints them (src/utils/print-number.js, print-string.js of its estree
 * plugin), from the text TypeScript's printer writes for them.
 */
import ts from "../typescript.cjs";

/** TypeScript's own escaping (internal, but what its printer calls for synthesized literals). */
const { escapeNonAsciiString } = ts as unknown as { escapeNonAsciiString?: (text: string, quote: number) => string };

/** What TypeScript's printer writes for a synthesized, double-quoted string literal; undefined if its escaping is not at hand. */
export function typeScriptStringLiteral(text: string): string | undefined {
  return typeof escapeNonAsciiString === "function" ? `"${escapeNonAsciiString(text, 34 /* " */)}"` : undefined;
}

/** prettier's `printNumber`. */
export function printNumber(raw: string): string {
  if (raw.length === 1) return raw;
  return raw
    .toLowerCase()
    .replace(/^([+-]?[\d.]+e)(?:\+|(-))?0*(?=\d)/, "$1$2")
    .replace(/^([+-]?[\d.]+)e[+-]?0+$/, "$1")
    .replace(/^([+-])?\./, "$10.")
    .replace(/(\.\d+?)0+(?=e|$)/, "$1")
    .replace(/\.(?=e|$)/, "");
}

/** prettier's `printString` for JavaScript: double quotes unless the content holds more of them than single ones. */
export function printString(raw: string): string {
  const content = raw.slice(1, -1);
  let doubles = 0;
  let singles = 0;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 34) doubles++;
    else if (c === 39) singles++;
  }
  const quote = doubles > singles ? "'" : '"';
  if (raw[0] === quote) return raw;
  const other = quote === '"' ? "'" : '"';
  const body = content.replace(/\\(["'\\])|(["'])/g, (match, escaped: string | undefined, bare: string | undefined) =>
    escaped ? (escaped === other ? other : match) : bare === quote ? "\\" + bare : bare!,
  );
  return quote + body + quote;
}
