/**
 * Small zod building blocks used by generated schemas, so that behaviour lives
 * here once and generated code stays a table of calls.
 */
import { z } from "zod";
import { INTEGER_MESSAGE, UNSAFE_INTEGER_MESSAGE } from "./issues.js";
import { setOwn } from "../core/own.js";

export { z };

/*
 * String formats, as ajv-formats 3 checks them in its "full" mode (MIT, (c) 2020 Evgeny
 * Poberezkin): the same regular expressions and functions, so a decoder accepts exactly
 * what the usual JSON Schema validator accepts. One deliberate difference: `byte` checks
 * the whole string (ajv-formats' regex has the `m` flag, so any string with one base64
 * line passes); see docs/compatibility-decoders.md.
 */
const DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;
const DATE_TIME_SEPARATOR = /t|\s/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 =
  /^((([0-9a-f]{1,4}:){7}([0-9a-f]{1,4}|:))|(([0-9a-f]{1,4}:){6}(:[0-9a-f]{1,4}|((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9a-f]{1,4}:){5}(((:[0-9a-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9a-f]{1,4}:){4}(((:[0-9a-f]{1,4}){1,3})|((:[0-9a-f]{1,4})?:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){3}(((:[0-9a-f]{1,4}){1,4})|((:[0-9a-f]{1,4}){0,2}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){2}(((:[0-9a-f]{1,4}){1,5})|((:[0-9a-f]{1,4}){0,3}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){1}(((:[0-9a-f]{1,4}){1,6})|((:[0-9a-f]{1,4}){0,4}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(:(((:[0-9a-f]{1,4}){1,7})|((:[0-9a-f]{1,4}){0,5}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))$/i;
const URI =
  /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;
const NOT_URI_FRAGMENT = /\/|:/;
const FORMAT_REGEXPS: Record<string, RegExp> = {
  duration: /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/,
  "uri-reference":
    /^(?:[a-z][a-z0-9+\-.]*:)?(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'"()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*)?(?:\?(?:[a-z0-9\-._~!$&'"()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'"()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i,
  "uri-template":
    /^(?:(?:[^\x00-\x20"'<>%\\^`{|}]|%[0-9a-f]{2})|\{[+#./;?&=,!@|]?(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?(?:,(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?)*\})*$/i,
  url: /^(?:https?|ftp):\/\/(?:\S+(?::\S*)?@)?(?:(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))|(?:(?:[a-z0-9\u{00a1}-\u{ffff}]+-)*[a-z0-9\u{00a1}-\u{ffff}]+)(?:\.(?:[a-z0-9\u{00a1}-\u{ffff}]+-)*[a-z0-9\u{00a1}-\u{ffff}]+)*(?:\.(?:[a-z\u{00a1}-\u{ffff}]{2,})))(?::\d{2,5})?(?:\/[^\s]*)?$/iu,
  email: /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i,
  hostname: /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i,
  ipv4: IPV4,
  ipv6: IPV6,
  uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
  "json-pointer": /^(?:\/(?:[^~/]|~0|~1)*)*$/,
  "json-pointer-uri-fragment": /^#(?:\/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*$/i,
  "relative-json-pointer": /^(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function isDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && isLeapYear(year) ? 29 : DAYS[month]!);
}

function isTime(value: string, strictTimeZone: boolean): boolean {
  const m = TIME.exec(value);
  if (!m) return false;
  const hr = +m[1]!;
  const min = +m[2]!;
  const sec = +m[3]!;
  const tz = m[4];
  const tzSign = m[5] === "-" ? -1 : 1;
  const tzH = +(m[6] || 0);
  const tzM = +(m[7] || 0);
  if (tzH > 23 || tzM > 59 || (strictTimeZone && !tz)) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // leap second: 23:59:60 UTC
  const utcMin = min - tzM * tzSign;
  const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}

function isDateTime(value: string, strictTimeZone: boolean): boolean {
  const parts = value.split(DATE_TIME_SEPARATOR);
  return parts.length === 2 && isDate(parts[0]!) && isTime(parts[1]!, strictTimeZone);
}

function isUri(value: string): boolean {
  return NOT_URI_FRAGMENT.test(value) && URI.test(value);
}

function isRegex(value: string): boolean {
  if (/[^\\]\\Z/.test(value)) return false;
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

const FORMAT_CHECKS: Record<string, (value: string) => boolean> = {
  date: isDate,
  time: (v) => isTime(v, true),
  "date-time": (v) => isDateTime(v, true),
  "iso-time": (v) => isTime(v, false),
  "iso-date-time": (v) => isDateTime(v, false),
  uri: isUri,
  regex: isRegex,
  ...Object.fromEntries(Object.entries(FORMAT_REGEXPS).map(([name, re]) => [name, (v: string) => re.test(v)])),
};

/** The string formats `stringFormat` checks (the generator emits it for these only). */
export const STRING_FORMATS: readonly string[] = Object.keys(FORMAT_CHECKS);

/** A string schema that checks a JSON Schema / OpenAPI `format`; unknown formats are not checked (as JSON Schema says). */
/*
 * zod schemas are immutable (every method returns a new schema), so the leaf factories below
 * hand out one instance each: GitHub's description calls rt.stringFormat ~11,800 times and
 * rt.integer ~3,400 times, ~30 MiB once every schema is built.
 */
const formatSchemas = new Map<string, z.ZodString>();

export function stringFormat(format: string): z.ZodString {
  let schema = formatSchemas.get(format);
  if (!schema) {
    const check = FORMAT_CHECKS[format];
    formatSchemas.set(format, (schema = check ? z.string().refine(check, `Invalid ${format}`) : z.string()));
  }
  return schema;
}

const INT32 = 2 ** 31;

/** OpenAPI number formats as ajv-formats checks them: `int32` is a whole number in range, `int64` a whole number. */
export function numberFormat(schema: z.ZodNumber, format: string): z.ZodNumber {
  switch (format) {
    case "int32":
      return schema.refine((n) => Number.isInteger(n) && n >= -INT32 && n < INT32, "Expected a 32-bit integer");
    case "int64":
      return wholeNumber(schema);
    default:
      return schema;
  }
}

/**
 * `minLength` / `maxLength`, counted in Unicode code points as JSON Schema says (zod's
 * `.min()`/`.max()` count UTF-16 code units, so one emoji would count twice).
 */
export function length(schema: z.ZodString, min: number | undefined, max?: number): z.ZodString {
  return schema.check((ctx) => {
    const value = ctx.value;
    let n = value.length;
    // Fast path: only surrogate pairs make the two counts differ.
    if (/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(value)) n = [...value].length;
    if (min !== undefined && n < min) {
      ctx.issues.push({
        code: "too_small",
        origin: "string",
        minimum: min,
        inclusive: true,
        input: value,
        message: `Too small: expected string to have >=${min} characters`,
      });
    }
    if (max !== undefined && n > max) {
      ctx.issues.push({
        code: "too_big",
        origin: "string",
        maximum: max,
        inclusive: true,
        input: value,
        message: `Too big: expected string to have <=${max} characters`,
      });
    }
  });
}

/**
 * A component schema of the generated `schemas.ts`: `z.lazy(build)` (built on first use), typed as
 * the spec's type `T` (`components["schemas"]["Pet"]`, or its `Readable`/`Writable`/`Unmarked`
 * view), which the annotation of the constant supplies. The generator vouches for `T`: the zod
 * expression inside validates what `T` describes, but is built from helpers typed `z.ZodType`, so
 * tsc could not infer it (and inferring it is what makes zod types slow to check).
 */
export function lazy<T>(build: () => z.ZodType): z.ZodType<T> {
  return z.lazy(build) as unknown as z.ZodType<T>;
}

/**
 * A piece of the generated `schemas.ts` its constants use in several places (`shared0()`): built on
 * first use, then the same instance for every use. zod schemas are immutable, so sharing one is safe;
 * GitHub's description repeats `z.string().optional()` ~3,600 times.
 */
export function shared(build: () => z.ZodType): () => z.ZodType {
  let schema: z.ZodType | undefined;
  return () => (schema ??= build());
}

/**
 * A whole number within ±(2^53 − 1). Larger ones are refused rather than accepted rounded: by
 * the time a JSON body or a parameter is a `number`, 9007199254740993 has become …992.
 */
function wholeNumber(schema: z.ZodNumber): z.ZodNumber {
  return schema.check((ctx) => {
    const n = ctx.value;
    if (Number.isSafeInteger(n)) return;
    const message = Number.isInteger(n) ? UNSAFE_INTEGER_MESSAGE : INTEGER_MESSAGE;
    ctx.issues.push({ code: "custom", input: n, message });
  });
}

/** JSON Schema `integer`, as exact numbers: a safe integer (docs/protocol.md, "Exact values"). */
let integerSchema: z.ZodNumber | undefined;

export function integer(): z.ZodNumber {
  // Not a number at all also says "integer" (decoding then reports `expected integer, got "abc"`).
  integerSchema ??= wholeNumber(z.number({ error: (issue) => (issue.code === "invalid_type" ? INTEGER_MESSAGE : undefined) }));
  return integerSchema;
}

/** `enum` with values of any JSON type, compared by JSON equality. */
export function enumOf(values: readonly unknown[]): z.ZodType {
  const primitives = new Set(values.filter((v) => v === null || typeof v !== "object"));
  // Objects compare by JSON equality regardless of key order (as JSON Schema and ajv do).
  const structured = new Set(values.filter((v) => v !== null && typeof v === "object").map((v) => stableJson(v)));
  const label = values.map((v) => JSON.stringify(v)).join(", ");
  return z
    .unknown()
    .refine((v) => primitives.has(v as never) || (v !== null && typeof v === "object" && structured.has(stableJson(v))), {
      message: `Expected one of ${label}`,
    });
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

/** `allOf`: every part must accept the value; object outputs are merged (by `merge`: see runtime/serve/visibility.ts for requests). */
export function allOf(parts: readonly z.ZodType[], merge: (merged: unknown, output: unknown, raw: unknown) => unknown = mergeOutputs): z.ZodType {
  if (parts.length === 1) return parts[0]!;
  return z.unknown().transform((value, ctx) => {
    let merged: unknown = value;
    for (const part of parts) {
      const result = part.safeParse(value);
      if (!result.success) {
        for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
        continue;
      }
      merged = merge(merged, result.data, value);
    }
    return merged;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Object outputs merged, at any depth. A part passes what it does not declare through unchanged
 * (the raw value): that copy never replaces another part's output of it, whose nested defaults
 * would be lost (`allOf: [Pet, {properties: {id}}]`: Pet's defaults inside `owner` stay).
 */
function mergeOutputs(a: unknown, b: unknown, raw: unknown): unknown {
  if (b === raw && a !== undefined) return a;
  if (Array.isArray(a) && Array.isArray(b) && Array.isArray(raw) && a.length === raw.length && b.length === raw.length) {
    return b.map((item, i) => mergeOutputs(a[i], item, raw[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return b;
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    setOwn(out, key, Object.hasOwn(out, key) && isRecord(raw) && Object.hasOwn(raw, key) ? mergeOutputs(out[key], value, raw[key]) : value);
  }
  return out;
}

/**
 * `discriminator`: the property's value picks the alternative, so errors speak
 * about that alternative instead of "matches none".
 */
export function discriminated(property: string, mapping: Readonly<Record<string, () => z.ZodType>>, fallback?: readonly z.ZodType[]): z.ZodType {
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

const PROTO = "__proto__";

/**
 * An object schema whose shape declares `__proto__`. zod 4 neither checks nor keeps that property
 * (it strips the key from every result, against prototype pollution); here it is checked by its
 * schema in the shape (absent and required: "required"; defaulted: the default) and kept as an own
 * property of the output, which a JSON reply then carries back.
 */
export function protoProperty(object: z.ZodObject): z.ZodType {
  const property = object.shape[PROTO] as z.ZodType;
  return z.unknown().transform((value, ctx) => {
    const result = object.safeParse(value);
    if (!result.success) forward(ctx, result.error.issues);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return z.NEVER;
    const present = Object.hasOwn(value, PROTO);
    const checked = property.safeParse(present ? (value as Record<string, unknown>)[PROTO] : undefined);
    if (!checked.success) forward(ctx, checked.error.issues, [PROTO]);
    if (!result.success || !checked.success) return z.NEVER;
    if (present || checked.data !== undefined) setOwn(result.data, PROTO, checked.data);
    return result.data;
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
  return schema.refine(
    (v: unknown) => {
      const n = v && typeof v === "object" ? Object.keys(v).length : 0;
      return (min === undefined || n >= min) && (max === undefined || n <= max);
    },
    `Expected ${min ?? 0}${max === undefined ? " or more" : "–" + max} properties`,
  ) as unknown as T;
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
 * Type-specific keywords without a `type` (`{required: [done]}`, `{minLength: 3}`): a value of one
 * of the branches' JSON types must match that branch, whose errors are reported as its own
 * (`/done: required`, not "expected a value of another type"); values of other types pass.
 */
export function byType(branches: Readonly<Partial<Record<"string" | "number" | "object" | "array", z.ZodType>>>): z.ZodType {
  return z.unknown().transform((value, ctx) => {
    const type = jsonType(value);
    const branch = branches[(type === "integer" ? "number" : type) as keyof typeof branches];
    if (!branch) return value;
    const result = branch.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue } as never);
    return z.NEVER;
  });
}

/**
 * `patternProperties`: every property whose name matches a pattern must match that pattern's
 * schema (declared properties too); `rest` (`additionalProperties`) applies to properties
 * neither declared nor matched. A pattern JavaScript cannot compile (`undefined`) matches every name.
 */
export function patternProperties<T extends z.ZodType>(
  schema: T,
  declared: readonly string[],
  rules: readonly (readonly [RegExp | undefined, z.ZodType])[],
  rest?: z.ZodType,
): T {
  const known = new Set(declared);
  return schema.superRefine((value: unknown, ctx) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, item] of Object.entries(value)) {
      let matched = false;
      const check = (s: z.ZodType) => {
        const result = s.safeParse(item);
        if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as never);
      };
      for (const [pattern, s] of rules) {
        if (pattern && !pattern.test(key)) continue;
        matched = true;
        check(s);
      }
      if (!matched && rest && !known.has(key)) check(rest);
    }
  }) as unknown as T;
}

function forward(ctx: z.core.$RefinementCtx, issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): void {
  for (const issue of issues) ctx.addIssue({ ...issue, path: [...prefix, ...issue.path] } as never);
}

/** `if` / `then` / `else`. */
export function ifThenElse(condition: z.ZodType, then?: z.ZodType, otherwise?: z.ZodType): z.ZodType {
  return z.unknown().superRefine((value, ctx) => {
    const branch = condition.safeParse(value).success ? then : otherwise;
    const result = branch?.safeParse(value);
    if (result && !result.success) forward(ctx, result.error.issues);
  });
}

/** `contains` (with 2019+ `minContains` / `maxContains`): how many items of an array match. */
export function contains(schema: z.ZodType, min = 1, max?: number): z.ZodType {
  return z.unknown().superRefine((value, ctx) => {
    if (!Array.isArray(value)) return;
    const n = value.filter((item) => schema.safeParse(item).success).length;
    if (n < min || (max !== undefined && n > max)) {
      ctx.addIssue({ code: "custom", message: max === undefined ? `Expected at least ${min} matching item(s)` : `Expected ${min}–${max} matching items` });
    }
  });
}

/** `propertyNames`: every property name of an object matches the schema. */
export function propertyNames(schema: z.ZodType): z.ZodType {
  return z.unknown().superRefine((value, ctx) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      const result = schema.safeParse(key);
      if (!result.success) ctx.addIssue({ code: "custom", path: [key], message: `Invalid property name: ${result.error.issues[0]?.message ?? ""}` });
    }
  });
}

/**
 * `dependentRequired` / `dependentSchemas` (and draft-07 `dependencies`, which mixes both):
 * when an object has the property, it must also have the listed ones / match the schema.
 */
export function dependencies(rules: Readonly<Record<string, readonly string[] | z.ZodType>>): z.ZodType {
  return z.unknown().superRefine((value, ctx) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [property, rule] of Object.entries(rules)) {
      if (!Object.hasOwn(value, property)) continue;
      if (Array.isArray(rule)) {
        for (const needed of rule) {
          if (!Object.hasOwn(value, needed)) ctx.addIssue({ code: "custom", path: [needed], message: `Required when ${JSON.stringify(property)} is present` });
        }
      } else {
        const result = (rule as z.ZodType).safeParse(value);
        if (!result.success) forward(ctx, result.error.issues);
      }
    }
  });
}
