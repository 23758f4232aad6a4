/**
 * JSON documents parsed with JSON.parse (many times faster than the YAML parser) where that gives
 * the YAML parser's result. The one difference in meaning: JSON.parse keeps the last of duplicate
 * keys where the YAML parser refuses the document. A duplicate is detected by counting: every `:`
 * in JSON text is either inside a string or follows a key, so with no duplicate the text's colons
 * equal the parsed keys plus the colons inside parsed strings.
 */
import type { Source } from "@redocly/openapi-core/lib/resolve.js";

const parsedAsJson = new WeakSet<Source>();

/** The parsed document, or undefined when only the YAML parser gives the right answer (or error). */
export function parseJsonSource(source: Source): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source.body);
  } catch {
    return undefined;
  }
  if (countColons(source.body) !== countParsed(parsed)) return undefined;
  parsedAsJson.add(source);
  return parsed;
}

/** Whether the text is strict JSON (read by JSON.parse), so can be located by scanning it as JSON. */
export function isParsedAsJson(source: Source): boolean {
  return parsedAsJson.has(source);
}

function countColons(text: string): number {
  let count = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) count++;
  return count;
}

/** Keys plus colons inside keys and string values. */
function countParsed(root: unknown): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === "string") count += countColons(node);
    else if (Array.isArray(node)) for (const item of node) stack.push(item);
    else if (typeof node === "object" && node !== null) {
      for (const key of Object.keys(node)) {
        count += 1 + countColons(key);
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return count;
}
