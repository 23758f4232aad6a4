/**
 * `readOnly` / `writeOnly` (OpenAPI 3.x): a readOnly property belongs to responses only (a request
 * may omit it even when `required`; one that is sent is removed before the handler sees it), a
 * writeOnly one to requests only (a response may omit it; one that is returned is an error).
 *
 * Types: the generated `types.ts` marks such properties as openapi-typescript's `$Read<T>` /
 * `$Write<T>` (`readWriteMarkers`: `{ readonly $read: T }` / `{ readonly $write: T }`); handler
 * and client types see them through `Writable` (requests) and `Readable` (responses). To name a
 * component as a handler returns it, write `rt.Readable<components["schemas"]["Pet"]>`.
 */
import { z } from "zod";
import { setOwn } from "../core/own.js";

/** Bytes (binary strings) are leaves, not objects to map over. */
type Leaf = Uint8Array;

/** T with the properties marked `Drop` removed and the values marked `Keep` unwrapped, at any depth. */
type View<T, Drop extends string, Keep extends string> = T extends { readonly [K in Drop]: unknown }
  ? never
  : T extends { readonly [K in Keep]: infer U }
    ? View<U, Drop, Keep>
    : T extends Leaf
      ? T
      : T extends readonly unknown[]
        ? { [I in keyof T]: View<T[I], Drop, Keep> }
        : T extends object
          ? { [K in keyof T as NonNullable<T[K]> extends { readonly [D in Drop]: unknown } ? never : K]: View<T[K], Drop, Keep> }
          : T;

/**
 * T as its schema is written: readOnly and writeOnly markers unwrapped, nothing removed (what a
 * component's own constant in schemas.ts parses; its `ForRequest`/`ForResponse` variants give `Writable`/`Readable`).
 */
export type Unmarked<T> = T extends { readonly $read: infer U }
  ? Unmarked<U>
  : T extends { readonly $write: infer U }
    ? Unmarked<U>
    : T extends Leaf
      ? T
      : T extends readonly unknown[]
        ? { [I in keyof T]: Unmarked<T[I]> }
        : T extends object
          ? { [K in keyof T]: Unmarked<T[K]> }
          : T;

/** T as a response carries it: writeOnly properties removed, readOnly ones unwrapped. */
export type Readable<T> = View<T, "$write", "$read">;
/** T as a request carries it: readOnly properties removed, writeOnly ones unwrapped. */
export type Writable<T> = View<T, "$read", "$write">;

/**
 * Request decoding: the object's readOnly properties were checked (and are optional); they are
 * removed from the output so that a client cannot set what the server owns.
 */
export function omitReadOnly(schema: z.ZodType, keys: readonly string[]): z.ZodType {
  return schema.transform((value: unknown) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    let out: Record<string, unknown> | undefined;
    for (const key of keys) {
      if (!Object.hasOwn(value, key)) continue;
      out ??= { ...(value as Record<string, unknown>) };
      delete out[key];
    }
    return out ?? value;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `rt.allOf`'s merge for request schemas holding readOnly properties. Each part sees the raw value
 * and a part that does not declare a property passes the raw one through; merged naively, that
 * copy would bring back what another part removed (a readOnly property, at any depth). Here a
 * property one part removed stays removed, and a part's unchanged copy of the raw value never
 * replaces another part's output.
 */
export function mergeRequestParts(merged: unknown, output: unknown, raw: unknown): unknown {
  if (output === raw) return merged;
  if (Array.isArray(merged) && Array.isArray(output) && Array.isArray(raw) && output.length === raw.length && merged.length === raw.length) {
    return output.map((item, i) => mergeRequestParts(merged[i], item, raw[i]));
  }
  if (!isRecord(merged) || !isRecord(output) || !isRecord(raw)) return output;
  const out = { ...merged };
  for (const key of Object.keys(raw)) if (!Object.hasOwn(output, key)) delete out[key];
  for (const [key, value] of Object.entries(output)) {
    if (!Object.hasOwn(raw, key))
      setOwn(out, key, value); // a default (`__proto__` included: an own key)
    else if (Object.hasOwn(out, key)) out[key] = mergeRequestParts(out[key], value, raw[key]);
  }
  return out;
}

/** Response validation: a writeOnly property may be absent; present, it is reported by name (e.g. a leaked password). */
export function writeOnlyProperty(): z.ZodType {
  return z.never({ error: "writeOnly property must not appear in a response" }).optional();
}
