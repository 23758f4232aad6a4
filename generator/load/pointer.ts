import { escapePointerToken } from "../diagnostics.js";

/** JSON pointers exactly as Redocly writes them (its resolved pointers and diagnostics' pointers must match). */
export function joinPointer(base: string, key: string): string {
  if (base === "") base = "#/";
  return base[base.length - 1] === "/" ? base + key : base + "/" + key;
}

export function escapeSegment(key: string | number): string {
  return typeof key === "number" ? String(key) : escapePointerToken(key);
}
