/**
 * Step 2 of decoding a request (serve/request.ts): turns the strings of a REST envelope into typed
 * parameter values, following OpenAPI's style/explode rules, then validates them. `paramReader`
 * takes the per-parameter decisions (location, style, shape) once, when an operation is prepared;
 * `decodeParameters` applies them to each request.
 */
import { own, ownMap } from "../core/own.js";
import type { RestRequest } from "./envelope.js";
import { checkJsonValue } from "./limits.js";
import { issueLocations, REQUIRED } from "./issues.js";
import { withoutPrototypes } from "../core/own.js";
import type { FieldError } from "./envelope.js";
import { buildSchema, type DecodedRequest, type ParamEntry } from "./operation.js";

export type ParamLocation = "path" | "query" | "header" | "cookie";
export type JsonType = "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";

/** Just enough of a parameter's schema to know how to split and coerce its strings. */
export interface ValueShape {
  /**
   * Allowed JSON types (`JsonType` names); absent means "any" (values stay strings). Typed as strings: in
   * `props: { constructor: { types: ["integer"] } }` TypeScript types the member by Object's `constructor`
   * (not the index signature), so `["integer"]` would widen to `string[]` and a generated table would not compile.
   */
  types?: readonly string[];
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
type Kind = "array" | "object" | "primitive";

const has = (shape: ValueShape, t: JsonType) => shape.types?.includes(t) ?? false;
const containerKind = (shape: ValueShape): Kind => (has(shape, "array") ? "array" : has(shape, "object") ? "object" : "primitive");

/** Only canonical text becomes a number: JSON's number grammar, and for integers its integer form ("1.0", " 1 ", "1e0", "01" stay strings and fail validation). */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;

type ScalarCoercer = (value: string) => unknown;
const asString: ScalarCoercer = (value) => value;

/** The coercion `coerceScalar` applies for a shape, decided once. */
function scalarCoercer(shape: ValueShape): ScalarCoercer {
  const types = shape.types ?? [];
  const numeric = types.includes("number") ? NUMBER : types.includes("integer") ? INTEGER : undefined;
  const boolean = types.includes("boolean");
  const nullable = types.includes("null");
  if (!numeric && !boolean && !nullable) return asString;
  return (value) => {
    if (numeric?.test(value)) return Number(value);
    if (boolean && (value === "true" || value === "false")) return value === "true";
    if (nullable && value === "null") return null;
    return value;
  };
}

/** Coerces one string to the first of the shape's types that can represent it. */
export function coerceScalar(value: string, shape: ValueShape): unknown {
  return scalarCoercer(shape)(value);
}

type Coercer = (raw: Raw) => unknown;

/** The coercion `coerceValue` applies for a shape, decided once. */
function coercer(shape: ValueShape): Coercer {
  const kind = containerKind(shape);
  if (kind === "array") {
    const item = scalarCoercer(shape.items ?? {});
    return (raw) => {
      if (raw === undefined) return undefined;
      const list = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : Object.values(raw);
      // Strings stay strings: the list as it is (validation copies it anyway).
      return item === asString ? list : list.map((v) => item(v));
    };
  }
  const scalar = scalarCoercer(shape);
  const props = new Map(Object.entries(shape.props ?? {}).map(([k, s]) => [k, scalarCoercer(s)]));
  return (raw) => {
    if (raw === undefined) return undefined;
    if (typeof raw === "string") return scalar(raw);
    if (Array.isArray(raw)) return raw.map((v) => scalar(v));
    if (kind !== "object") return raw;
    const out = ownMap<unknown>();
    for (const [k, v] of Object.entries(raw)) out[k] = (props.get(k) ?? asString)(v);
    return out;
  };
}

/** Coerces split parameter (or form field) strings by shape. */
export function coerceValue(raw: Raw, shape: ValueShape): unknown {
  return coercer(shape)(raw);
}

/** "k1,v1,k2,v2" → {k1: v1, k2: v2} */
function pairs(list: string[]): Record<string, string> {
  const out = ownMap<string>();
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}
/** ["k1=v1", "k2=v2"] → {k1: v1, k2: v2} */
function assignments(list: string[]): Record<string, string> {
  const out = ownMap<string>();
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Splits a delimited string into an array or object per the kind (non-exploded or simple style). */
function split(value: string, kind: Kind, delimiter: string, explode: boolean): Raw {
  if (kind === "primitive") return value;
  const parts = value === "" ? [] : value.split(delimiter);
  if (kind === "array") return parts;
  return explode ? assignments(parts) : pairs(parts);
}

type Extract = (value: string) => Raw;

function fromPath(spec: ParamSpec, kind: Kind): Extract {
  const explode = spec.explode ?? false;
  switch (spec.style ?? "simple") {
    case "label":
      return (value) => split(value.startsWith(".") ? value.slice(1) : value, kind, explode ? "." : ",", explode);
    case "matrix": {
      const prefix = spec.name + "=";
      return (value) => {
        const segments = value.split(";").filter((s) => s !== "");
        if (kind === "object" && explode) return assignments(segments);
        if (kind === "array" && explode) return segments.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
        const own = segments.find((s) => s.startsWith(prefix) || s === spec.name);
        if (own === undefined) return split(value, kind, ",", false);
        return split(own.slice(prefix.length), kind, ",", false);
      };
    }
    default:
      return (value) => split(value, kind, ",", explode);
  }
}

type Query = RestRequest["query_params"];
const lastValue = (v: string | string[]): string => (Array.isArray(v) ? v[v.length - 1]! : v);

function fromQuery(spec: ParamSpec, kind: Kind, declared: ReadonlySet<string>): (query: Query) => Raw {
  const style = spec.style ?? "form";
  const explode = spec.explode ?? style === "form";
  const shape = spec.shape;
  const name = spec.name;
  if (style === "deepObject") {
    const prefix = name + "[";
    return (query) => {
      const out = ownMap<string>();
      let found = false;
      for (const [key, v] of Object.entries(query)) {
        if (!key.startsWith(prefix) || !key.endsWith("]")) continue;
        found = true;
        out[key.slice(prefix.length, -1)] = lastValue(v);
      }
      return found ? out : undefined;
    };
  }
  if (kind === "object" && explode) {
    // Exploded form objects spread their properties over the query string.
    const props = shape.props ? Object.keys(shape.props) : undefined;
    return (query) => {
      const out = ownMap<string>();
      let found = false;
      for (const key of props ?? Object.keys(query).filter((k) => !declared.has(k))) {
        const v = own(query, key);
        if (v === undefined) continue;
        found = true;
        out[key] = lastValue(v);
      }
      return found ? out : undefined;
    };
  }
  const delimiter = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
  if (kind === "array") {
    if (explode) return (query) => own(query, name);
    return (query) => {
      const value = own(query, name);
      if (value === undefined) return undefined;
      return (Array.isArray(value) ? value : [value]).flatMap((v) => (v === "" ? [] : v.split(delimiter)));
    };
  }
  return (query) => {
    const value = own(query, name);
    // A repeated scalar stays a list: validation names the parameter.
    return value === undefined || Array.isArray(value) ? value : split(value, kind, delimiter, false);
  };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out = ownMap<string>();
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

/** What a reader returns for a parameter whose text cannot be read (not a failed validation). */
export class UnreadableParam {
  constructor(readonly message: string) {}
}

/** Reads one parameter from an envelope: split by style, coerced by shape, not yet validated; undefined when absent. */
export type ParamReader = (request: RestRequest, cookies: Readonly<Record<string, string>>) => unknown;

const NOT_JSON = new UnreadableParam("expected a JSON value");

/** A parameter's reader, with every decision that depends only on the spec taken now. */
export function paramReader(spec: ParamSpec, declaredQuery: ReadonlySet<string>): ParamReader {
  const name = spec.name;
  if (spec.json) {
    const parse = (text: string | undefined) => {
      if (text === undefined) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return NOT_JSON;
      }
      // As for bodies (runtime/serve/limits.ts): validation and handlers recurse.
      const exceeded = checkJsonValue(value);
      return exceeded ? new UnreadableParam(`JSON value ${exceeded.message}`) : value;
    };
    const header = name.toLowerCase();
    switch (spec.in) {
      case "path":
        return (request) => parse(own(request.path_params, name));
      case "query":
        return (request) => {
          const v = own(request.query_params, name);
          return parse(v === undefined ? v : lastValue(v));
        };
      case "header":
        return (request) => parse(own(request.headers, header));
      case "cookie":
        return (_request, cookies) => parse(own(cookies, name));
    }
  }
  const kind = containerKind(spec.shape);
  const coerce = coercer(spec.shape);
  switch (spec.in) {
    case "path": {
      const extract = fromPath(spec, kind);
      return (request) => {
        const value = own(request.path_params, name);
        return value === undefined ? undefined : coerce(extract(value));
      };
    }
    case "query": {
      const extract = fromQuery(spec, kind, declaredQuery);
      return (request) => coerce(extract(request.query_params));
    }
    case "header": {
      const header = name.toLowerCase();
      const explode = spec.explode ?? false;
      return (request) => {
        const value = own(request.headers, header);
        return value === undefined ? undefined : coerce(split(value, kind, ",", explode));
      };
    }
    case "cookie":
      return (_request, cookies) => {
        const value = own(cookies, name);
        return value === undefined ? undefined : coerce(split(value, kind, ",", false));
      };
  }
}

/** Reads one parameter from the envelope: split by style, coerced by shape, not yet validated. */
export function readParam(spec: ParamSpec, ctx: ParamContext): ReadResult {
  const value = paramReader(spec, ctx.declaredQuery)(ctx.request, ctx.cookies);
  return value instanceof UnreadableParam ? { ok: false, message: value.message } : { ok: true, value };
}

const LOCATION_KEY: Record<ParamLocation, keyof Omit<DecodedRequest, "body" | "contentType">> = {
  path: "path",
  query: "query",
  header: "headers",
  cookie: "cookies",
};

/** One parameter as prepared: where its value goes in the decoded request, and its reader. */
export interface PreparedParam {
  spec: ParamEntry;
  key: keyof Omit<DecodedRequest, "body" | "contentType">;
  read: ParamReader;
}

/** Every parameter's reader, with the decisions that depend only on the spec taken once. */
export function prepareParameters(params: readonly ParamEntry[]): PreparedParam[] {
  const declaredQuery = new Set(params.filter((p) => p.in === "query").map((p) => p.name));
  return params.map((spec) => ({ spec, key: LOCATION_KEY[spec.in], read: paramReader(spec, declaredQuery) }));
}

/** Step 2 of decoding a request (serve/request.ts): reads, coerces and validates every parameter into `decoded`; failures go to `errors`. */
export function decodeParameters(
  readers: readonly PreparedParam[],
  request: RestRequest,
  cookies: Readonly<Record<string, string>>,
  decoded: DecodedRequest,
  errors: FieldError[],
): void {
  for (const { spec, key, read } of readers) {
    const value = read(request, cookies);
    if (value instanceof UnreadableParam) {
      errors.push({ in: spec.in, name: spec.name, message: value.message });
      continue;
    }
    if (value === undefined && spec.required) {
      errors.push({ in: spec.in, name: spec.name, message: REQUIRED });
      continue;
    }
    const result = buildSchema(spec.schema).safeParse(value);
    if (!result.success) {
      // The client's own values are echoed back to it, cookies (session secrets) excepted.
      const input = { value, echo: spec.in === "cookie" ? "type" : "value" } as const;
      for (const { path, message } of result.error.issues.flatMap((issue) => issueLocations(issue, input))) {
        const member = issuePath(path);
        errors.push({ in: spec.in, name: member ? `${spec.name}.${member}` : spec.name, message });
      }
      continue;
    }
    if (result.data !== undefined) decoded[key][spec.name] = withoutPrototypes(result.data);
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}
