/**
 * Turns the strings of a REST envelope into typed parameter values, following
 * OpenAPI's style/explode rules, before schema validation.
 */
import type { RestRequest } from "./rest.js";

export type ParamLocation = "path" | "query" | "header" | "cookie";
export type JsonType = "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";

/** Just enough of a parameter's schema to know how to split and coerce its strings. */
export interface ValueShape {
  /** Allowed JSON types; absent means "any" (values stay strings). */
  types?: readonly JsonType[];
  items?: ValueShape;
  props?: Readonly<Record<string, ValueShape>>;
}

export interface ParamSpec {
  name: string;
  in: ParamLocation;
  required?: boolean;
  style?: string;
  explode?: boolean;
  shape: ValueShape;
  /** The parameter is serialised as JSON (`content: application/json`). */
  json?: boolean;
}

type Raw = string | string[] | Record<string, string> | undefined;

const has = (shape: ValueShape, t: JsonType) => shape.types?.includes(t) ?? false;
const containerKind = (shape: ValueShape): "array" | "object" | "primitive" =>
  has(shape, "array") ? "array" : has(shape, "object") ? "object" : "primitive";

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Coerces one string to the first of the shape's types that can represent it. */
export function coerceScalar(value: string, shape: ValueShape): unknown {
  const types = shape.types;
  if (!types || types.length === 0) return value;
  if ((types.includes("integer") || types.includes("number")) && NUMBER.test(value.trim())) return Number(value);
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.includes("null") && value === "null") return null;
  return value;
}

/** Coerces split parameter (or form field) strings by shape. */
export function coerceValue(raw: Raw, shape: ValueShape): unknown {
  if (raw === undefined) return undefined;
  const kind = containerKind(shape);
  if (kind === "array") {
    const list = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : Object.values(raw);
    return list.map((item) => coerceScalar(item, shape.items ?? {}));
  }
  if (kind === "object" && typeof raw === "object" && !Array.isArray(raw)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = coerceScalar(v, shape.props?.[k] ?? {});
    return out;
  }
  if (Array.isArray(raw)) return raw.map((item) => coerceScalar(item, shape));
  if (typeof raw === "string") return coerceScalar(raw, shape);
  return raw;
}

/** "k1,v1,k2,v2" → {k1: v1, k2: v2} */
function pairs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}
/** ["k1=v1", "k2=v2"] → {k1: v1, k2: v2} */
function assignments(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Splits a delimited string into an array or object per the shape (non-exploded or simple style). */
function split(value: string, shape: ValueShape, delimiter: string, explode: boolean): Raw {
  const kind = containerKind(shape);
  if (kind === "primitive") return value;
  const parts = value === "" ? [] : value.split(delimiter);
  if (kind === "array") return parts;
  return explode ? assignments(parts) : pairs(parts);
}

function fromPath(spec: ParamSpec, value: string | undefined): Raw {
  if (value === undefined) return undefined;
  const explode = spec.explode ?? false;
  const shape = spec.shape;
  switch (spec.style ?? "simple") {
    case "label": {
      const body = value.startsWith(".") ? value.slice(1) : value;
      return split(body, shape, explode ? "." : ",", explode);
    }
    case "matrix": {
      const segments = value.split(";").filter((s) => s !== "");
      const prefix = spec.name + "=";
      if (containerKind(shape) === "object" && explode) return assignments(segments);
      if (containerKind(shape) === "array" && explode) {
        return segments.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
      }
      const own = segments.find((s) => s.startsWith(prefix) || s === spec.name);
      if (own === undefined) return split(value, shape, ",", false);
      return split(own.slice(prefix.length), shape, ",", false);
    }
    default:
      return split(value, shape, ",", explode);
  }
}

function fromQuery(spec: ParamSpec, query: RestRequest["query_params"], declared: ReadonlySet<string>): Raw {
  const style = spec.style ?? "form";
  const explode = spec.explode ?? style === "form";
  const shape = spec.shape;
  const kind = containerKind(shape);
  if (style === "deepObject") {
    const prefix = spec.name + "[";
    const out: Record<string, string> = {};
    let found = false;
    for (const [key, v] of Object.entries(query)) {
      if (!key.startsWith(prefix) || !key.endsWith("]")) continue;
      found = true;
      out[key.slice(prefix.length, -1)] = Array.isArray(v) ? v[v.length - 1]! : v;
    }
    return found ? out : undefined;
  }
  if (kind === "object" && explode) {
    // Exploded form objects spread their properties over the query string.
    const names = shape.props ? Object.keys(shape.props) : Object.keys(query).filter((k) => !declared.has(k));
    const out: Record<string, string> = {};
    let found = false;
    for (const name of names) {
      const v = query[name];
      if (v === undefined) continue;
      found = true;
      out[name] = Array.isArray(v) ? v[v.length - 1]! : v;
    }
    return found ? out : undefined;
  }
  const value = query[spec.name];
  if (value === undefined) return undefined;
  const delimiter = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
  if (kind === "array") {
    const list = Array.isArray(value) ? value : [value];
    return explode ? list : list.flatMap((v) => (v === "" ? [] : v.split(delimiter)));
  }
  if (Array.isArray(value)) return value; // repeated scalar: validation names the parameter
  return split(value, shape, delimiter, false);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface ParamContext {
  request: RestRequest;
  cookies: Record<string, string>;
  /** Names of all query parameters the operation declares (for exploded objects). */
  declaredQuery: ReadonlySet<string>;
}

export type ReadResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads one parameter from the envelope: split by style, coerced by shape, not yet validated. */
export function readParam(spec: ParamSpec, ctx: ParamContext): ReadResult {
  let raw: Raw;
  switch (spec.in) {
    case "path":
      raw = spec.json ? ctx.request.path_params[spec.name] : fromPath(spec, ctx.request.path_params[spec.name]);
      break;
    case "query":
      raw = spec.json ? lastOf(ctx.request.query_params[spec.name]) : fromQuery(spec, ctx.request.query_params, ctx.declaredQuery);
      break;
    case "header": {
      const value = ctx.request.headers[spec.name.toLowerCase()];
      raw = spec.json || value === undefined ? value : split(value, spec.shape, ",", spec.explode ?? false);
      break;
    }
    case "cookie": {
      const value = ctx.cookies[spec.name];
      raw = spec.json || value === undefined ? value : split(value, spec.shape, ",", false);
      break;
    }
  }
  if (raw === undefined) return { ok: true, value: undefined };
  if (spec.json) {
    try {
      return { ok: true, value: JSON.parse(raw as string) };
    } catch {
      return { ok: false, message: "expected a JSON value" };
    }
  }
  return { ok: true, value: coerceValue(raw, spec.shape) };
}

function lastOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}
