/** Where zod's issues point, for request decoding and response validation alike (internal: not exported from index.ts). */
import type { z } from "zod";
import { escapePointer } from "./rest.js";

/** An issue's path as a JSON pointer ("" for the value itself). */
export function issuePointer(path: readonly PropertyKey[]): string {
  return path.map((p) => "/" + escapePointer(String(p))).join("");
}

/**
 * zod reports properties that `additionalProperties: false` forbids as one issue on the
 * enclosing object; split it so each error names the offending property itself.
 */
export function issueLocations(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string }[] {
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: `Unrecognized key: ${JSON.stringify(key)}` }));
  }
  return [{ path: issue.path, message: issue.message }];
}
