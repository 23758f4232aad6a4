/**
 * Small zod building blocks used by generated schemas, so that behaviour lives
 * here once and generated code stays a table of calls.
 */
import { z } from "zod";

export { z };

const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** RFC 3339 time (JSON Schema `time` is `full-time`, whose offset z.iso.time() rejects); seconds and offset optional as before. */
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/i;

function isUri(value: string): boolean {
  if (!URI_SCHEME.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** A string schema that checks an OpenAPI/JSON Schema `format`; unknown formats are not checked (as JSON Schema says). */
export function stringFormat(format: string): z.ZodString {
  switch (format) {
    case "date-time":
      return z.string().check(z.iso.datetime({ offset: true, local: false }));
    case "date":
      return z.string().check(z.iso.date());
    case "time":
      return z.string().regex(TIME, "Invalid time");
    case "uuid":
      return z.string().regex(UUID, "Invalid UUID");
    case "email":
      return z.string().check(z.email());
    case "uri":
    case "url":
      return z.string().refine(isUri, "Invalid URI");
    case "hostname":
      return z.string().regex(HOSTNAME, "Invalid hostname");
    case "ipv4":
      return z.string().check(z.ipv4());
    case "ipv6":
      return z.string().check(z.ipv6());
    case "byte":
      return z.string().regex(BASE64, "Invalid base64");
    default:
      return z.string();
  }
}

/** JSON Schema `integer`: any whole number (not only safe integers). */
export function integer(): z.ZodNumber {
  return z.number().refine(Number.isInteger, "Expected an integer");
}

/** `enum` with values of any JSON type, compared by JSON equality. */
export function enumOf(values: readonly unknown[]): z.ZodType {
  const primitives = new Set(values.filter((v) => v === null || typeof v !== "object"));
  const structured = values.filter((v) => v !== null && typeof v === "object").map((v) => JSON.stringify(v));
  const label = values.map((v) => JSON.stringify(v)).join(", ");
  return z.unknown().refine(
    (v) => primitives.has(v as never) || (v !== null && typeof v === "object" && structured.includes(JSON.stringify(v))),
    { message: `Expected one of ${label}` },
  );
}

/** `const` with a value of any JSON type. */
export function constOf(value: unknown): z.ZodType {
  if (value === null || typeof value !== "object") return z.literal(value as string | number | boolean | null);
  return enumOf([value]);
}

/** `oneOf`: exactly one alternative must accept the value; its output is used. */
export function oneOf(options: readonly z.ZodType[]): z.ZodType {
  return z.unknown().transform((value, ctx) => {
    let match: { data: unknown } | undefined;
    let count = 0;
    let firstIssues: z.core.$ZodIssue[] | undefined;
    for (const option of options) {
      const result = option.safeParse(value);
      if (result.success) {
        count += 1;
        match ??= { data: result.data };
      } else {
        firstIssues ??= result.error.issues;
      }
    }
    if (count === 1 && match) return match.data;
    ctx.addIssue({
      code: "custom",
      message:
        count === 0
          ? `Matches none of the ${options.length} alternatives` + (firstIssues?.[0] ? ` (first: ${describeIssue(firstIssues[0])})` : "")
          : `Matches ${count} alternatives; oneOf requires exactly one`,
    });
    return z.NEVER;
  });
}

/** `anyOf`: at least one alternative must accept the value; the first match's output is used. */
export function anyOf(options: readonly z.ZodType[]): z.ZodType {
  return options.length === 1 ? options[0]! : z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

/** `allOf`: every part must accept the value; object outputs are merged. */
export function allOf(parts: readonly z.ZodType[]): z.ZodType {
  if (parts.length === 1) return parts[0]!;
  return z.unknown().transform((value, ctx) => {
    let merged: unknown = value;
    for (const part of parts) {
      const result = part.safeParse(value);
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
        continue;
      }
      merged = mergeOutputs(merged, result.data);
    }
    return merged;
  });
}

function mergeOutputs(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    return { ...(a as object), ...(b as object) };
  }
  return b;
}

/**
 * `discriminator`: the property's value picks the alternative, so errors speak
 * about that alternative instead of "matches none".
 */
export function discriminated(
  property: string,
  mapping: Readonly<Record<string, () => z.ZodType>>,
  fallback?: readonly z.ZodType[],
): z.ZodType {
  const keys = Object.keys(mapping);
  return z.unknown().transform((value, ctx) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: "Expected an object" });
      return z.NEVER;
    }
    const tag = (value as Record<string, unknown>)[property];
    const pick = typeof tag === "string" && Object.hasOwn(mapping, tag) ? mapping[tag] : undefined;
    const schema = pick?.() ?? (fallback && fallback.length > 0 && typeof tag !== "string" ? oneOf(fallback) : undefined);
    if (!schema) {
      ctx.addIssue({ code: "custom", path: [property], message: `Expected one of ${keys.map((k) => JSON.stringify(k)).join(", ")}` });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue } as never);
    return z.NEVER;
  });
}

/** `not`. */
export function not(schema: z.ZodType): z.ZodType {
  return z.unknown().refine((v) => !schema.safeParse(v).success, "Must not match the excluded schema");
}

/** `uniqueItems: true`, by JSON equality. */
export function uniqueItems<T extends z.ZodType>(schema: T): T {
  return schema.refine((items: unknown) => {
    if (!Array.isArray(items)) return true;
    const seen = new Set(items.map((item) => stableJson(item)));
    return seen.size === items.length;
  }, "Items must be unique") as unknown as T;
}

/** `minProperties` / `maxProperties`. */
export function propertyCount<T extends z.ZodType>(schema: T, min?: number, max?: number): T {
  return schema.refine((v: unknown) => {
    const n = v && typeof v === "object" ? Object.keys(v).length : 0;
    return (min === undefined || n >= min) && (max === undefined || n <= max);
  }, `Expected ${min ?? 0}${max === undefined ? " or more" : "–" + max} properties`) as unknown as T;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(stableJson).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + stableJson((value as Record<string, unknown>)[k])).join(",") + "}";
}

/** JSON Schema `multipleOf` with tolerance for binary fractions (0.1 * 3). */
export function multipleOf(schema: z.ZodNumber, factor: number): z.ZodNumber {
  return schema.refine((n) => {
    const q = n / factor;
    return Math.abs(q - Math.round(q)) < 1e-9;
  }, `Expected a multiple of ${factor}`);
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join(".") + ": " : "";
  return where + issue.message;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * Values of none of the given JSON types. Type-specific keywords without a `type`
 * (e.g. `{minLength: 3}`) constrain only values of their type; others pass.
 */
export function notOfTypes(types: readonly string[]): z.ZodType {
  const set = new Set(types.includes("number") ? [...types, "integer"] : types);
  return z.unknown().refine((v) => !set.has(jsonType(v)), `Expected a value of type ${types.join(" or ")}`);
}
