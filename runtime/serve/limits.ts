/**
 * Shape limits for JSON bodies, shared by the gateway (which checks the text before parsing it)
 * and the runtime's decoder (which checks the value before validating it). JSON.parse is
 * iterative in V8, but JSON.stringify, schema validation and most handler code recurse: a body
 * nested 10,000 deep overflows the stack there. Refusing it up front gives a 400, not a 500.
 */

/** Deepest nesting of objects and arrays a JSON body may have (real APIs stay far below). */
export const JSON_MAX_DEPTH = 128;
/** Most object members plus array elements, counted over the whole body. */
export const JSON_MAX_MEMBERS = 1_000_000;

export interface JsonLimitExceeded {
  limit: "depth" | "members";
  /** 400 for nesting, 413 for size. */
  status: 400 | 413;
  /** What is wrong, without a subject: "nests deeper than 128 levels". */
  message: string;
}

const DEPTH: JsonLimitExceeded = { limit: "depth", status: 400, message: `nests deeper than ${JSON_MAX_DEPTH} levels` };
const MEMBERS: JsonLimitExceeded = {
  limit: "members",
  status: 413,
  message: `has more than ${JSON_MAX_MEMBERS} object members and array elements`,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * One pass over JSON text (UTF-8 bytes: multi-byte characters never contain these ASCII codes)
 * counting nesting depth and members outside strings; stops at the first limit crossed. Invalid
 * JSON is not diagnosed here (JSON.parse does).
 */
export function checkJsonText(text: Uint8Array, maxDepth = JSON_MAX_DEPTH, maxMembers = JSON_MAX_MEMBERS): JsonLimitExceeded | undefined {
  let depth = 0;
  let members = 0;
  let inString = false;
  // Just after `{` or `[`: the first non-space character tells whether the container is empty.
  let opened = false;
  for (let i = 0, n = text.length; i < n; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (isSpace(c)) continue;
    if (opened) {
      opened = false;
      if (c !== CLOSE_BRACE && c !== CLOSE_BRACKET && ++members > maxMembers) return MEMBERS;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return DEPTH;
      opened = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COMMA && ++members > maxMembers) return MEMBERS;
  }
  return undefined;
}

/** The same limits for an already parsed value, walked with an explicit stack (no recursion). */
export function checkJsonValue(value: unknown, maxDepth = JSON_MAX_DEPTH, maxMembers = JSON_MAX_MEMBERS): JsonLimitExceeded | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  // Parallel stacks, no object per node: this runs on every JSON body the runtime decodes.
  const values: object[] = [value];
  const depths: number[] = [1];
  let members = 0;
  while (values.length > 0) {
    const node = values.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > maxDepth) return DEPTH;
    if (Array.isArray(node)) {
      if ((members += node.length) > maxMembers) return MEMBERS;
      for (const child of node) {
        if (typeof child === "object" && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (++members > maxMembers) return MEMBERS;
      const child = node[key];
      if (typeof child === "object" && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}
