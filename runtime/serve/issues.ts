/** Where zod's issues point, and what they say, for request decoding and response validation alike (internal: not exported from index.ts). */
import type { z } from "zod";
import { escapePointer } from "./envelope.js";

/** What a missing parameter, body or body field is told. */
export const REQUIRED = "required";

/** The message `rt.integer()` gives a value that is not a whole number (or not a number at all). */
export const INTEGER_MESSAGE = "Expected an integer";

/** The message for an integer beyond ±(2^53 − 1): JSON parsing may already have rounded it, so it is refused, never rounded silently. */
export const UNSAFE_INTEGER_MESSAGE = `Integer beyond ±${Number.MAX_SAFE_INTEGER} cannot be received exactly (declare it as a string with format int64)`;

/** An issue's path as a JSON pointer ("" for the value itself). */
export function issuePointer(path: readonly PropertyKey[]): string {
  return path.map((p) => "/" + escapePointer(String(p))).join("");
}

/**
 * How much of the offending value a message may show: `value` quotes it (a request's own
 * parameters and body fields, echoed to the client that sent them), `type` names only its JSON
 * type (response bodies, whose values end up in logs; cookies).
 */
export type Echo = "value" | "type";

export interface IssueLocation {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * zod reports properties that `additionalProperties: false` forbids as one issue on the
 * enclosing object; split it so each error names the offending property itself. With the value
 * that was validated (`input`), messages say "required" for a missing property (zod: "expected
 * string, received undefined") and what was received instead of what was expected.
 */
export function issueLocations(issue: z.core.$ZodIssue, input?: { value: unknown; echo: Echo }): IssueLocation[] {
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: `Unrecognized key: ${JSON.stringify(key)}` }));
  }
  return [{ path: issue.path, message: input ? describeIssue(issue, input.value, input.echo) : issue.message }];
}

const ZOD_TYPE_MESSAGE = "Invalid input: expected ";

function describeIssue(issue: z.core.$ZodIssue, root: unknown, echo: Echo): string {
  const at = lookup(root, issue.path);
  if (at.missing && (issue.code === "invalid_type" || issue.code === "invalid_union")) return REQUIRED;
  const got = `got ${shown(at.value, echo)}`;
  if (issue.code === "invalid_type" && (issue.message.startsWith(ZOD_TYPE_MESSAGE) || issue.message === INTEGER_MESSAGE)) {
    return `expected ${issue.message === INTEGER_MESSAGE ? "integer" : issue.expected}, ${got}`;
  }
  if (issue.code === "invalid_union" && issue.message === "Invalid input") {
    // `type: [string, "null"]` and the like: each alternative wants another type.
    const expected = issue.errors.map((branch) =>
      branch.length === 1 && branch[0]!.code === "invalid_type" && branch[0]!.path.length === 0 ? expectedOf(branch[0]!) : undefined,
    );
    if (expected.every((e) => e !== undefined)) return `expected ${[...new Set(expected)].join(" or ")}, ${got}`;
  }
  if (issue.code === "custom" && issue.message === INTEGER_MESSAGE) return `expected integer, ${got}`;
  // The value received is not known: what is here may be its rounded form.
  if (issue.code === "custom" && issue.message === UNSAFE_INTEGER_MESSAGE) return issue.message;
  // Other checks (bounds, patterns, enums) say what was expected; an echoed scalar also says what came.
  return echo === "value" && isScalar(at.value) ? `${issue.message}, ${got}` : issue.message;
}

function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  return issue.message === INTEGER_MESSAGE ? "integer" : issue.message.startsWith(ZOD_TYPE_MESSAGE) ? issue.expected : undefined;
}

/** The value at a path, and whether the path names a property its object does not have. */
function lookup(root: unknown, path: readonly PropertyKey[]): { value: unknown; missing: boolean } {
  let value = root;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== "object") return { value: undefined, missing: true };
    const key = path[i]!;
    if (typeof key === "symbol" || !Object.hasOwn(value, key)) return { value: undefined, missing: true };
    value = (value as Record<string, unknown>)[key];
  }
  return { value, missing: value === undefined };
}

const isScalar = (v: unknown) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** Longest string shown, in characters; longer ones are cut with "…". */
const SHOWN_LENGTH = 40;

/** A received value as a message shows it: JSON-quoted (control characters escaped) and cut, or only its type. */
function shown(value: unknown, echo: Echo): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string": {
      if (echo === "type") return "a string";
      const chars = [...value];
      return JSON.stringify(chars.length > SHOWN_LENGTH ? chars.slice(0, SHOWN_LENGTH).join("") + "…" : value);
    }
    case "number":
    case "boolean":
      return echo === "type" ? `a ${typeof value}` : String(value);
    case "object":
      return value instanceof Uint8Array ? "bytes" : "an object";
    default:
      return typeof value;
  }
}
