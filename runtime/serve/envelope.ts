/**
 * The REST envelope contract (docs/protocol.md): what the platform sends to an
 * endpoint for an HTTP call, and the wrapped reply it turns back into HTTP.
 */
import { ownMap } from "../core/own.js";

export interface RestRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path and query string as received. */
  url: string;
  /** Request path without the query string. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  path_params: Record<string, string>;
  /** A repeated query parameter arrives as an array. */
  query_params: Record<string, string | string[]>;
  /** Parsed JSON for JSON media types, a string otherwise; absent or null when there is none. */
  body?: unknown;
  /** "base64" when `body` is the base64 of the raw bytes (binary media types). */
  body_encoding?: string;
}

export interface WrappedResponse {
  body: unknown;
  statuscode?: number;
  contenttype?: string;
  headers?: Record<string, string>;
  /** "base64" when `body` is the base64 of the raw bytes. */
  bodyencoding?: string;
}

/** One offending field of a rejected request. */
export interface FieldError {
  in: "envelope" | "path" | "query" | "header" | "cookie" | "body";
  /** Parameter name (with a dotted member for object parameters). */
  name?: string;
  /** JSON pointer into the body. */
  pointer?: string;
  message: string;
}

/** RFC 9457 problem details, as sent in a wrapped reply with content type application/problem+json. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export const PROBLEM_JSON = "application/problem+json";

/** Raised by `parseRestRequest` and the decoders; carries every offending field at once. */
export class RestRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: FieldError[] = [],
    /** Headers of the problem reply (e.g. `Allow` on a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "RestRequestError";
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Status " + status);
}

const isStringRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const utf8 = new TextDecoder();

/**
 * Parses and checks the envelope. Accepts bytes, a string or an already parsed object.
 * Throws RestRequestError (400) naming every malformed envelope field.
 */
export function parseRestRequest(payload: Uint8Array | string | unknown): RestRequest {
  let value: unknown = payload;
  // Maps of an envelope parsed here are used as they are when already valid; a caller's object is copied.
  let owned = false;
  if (payload instanceof Uint8Array || typeof payload === "string") {
    const text = typeof payload === "string" ? payload : utf8.decode(payload);
    try {
      value = text.length === 0 ? {} : JSON.parse(text);
    } catch (err) {
      throw new RestRequestError("Request envelope is not valid JSON", 400, [{ in: "envelope", message: (err as Error).message }]);
    }
    owned = true;
  }
  if (!isStringRecord(value)) {
    throw new RestRequestError("Request envelope must be a JSON object", 400, [{ in: "envelope", pointer: "", message: "expected an object" }]);
  }
  const errors: FieldError[] = [];
  const url = envelopeText(value, "url", "", errors);
  const method = envelopeText(value, "method", "GET", errors).toUpperCase();
  const request: RestRequest = {
    method,
    url,
    path: envelopeText(value, "path", undefined, errors) ?? url.split("?")[0] ?? "",
    headers: lowerCaseKeys(envelopeMap(value, "headers", isString, owned, errors)),
    path_params: envelopeMap(value, "path_params", isString, owned, errors),
    query_params: envelopeMap(value, "query_params", isQueryValue, owned, errors),
    body: value.body,
  };
  const encoding = envelopeText(value, "body_encoding", "", errors);
  if (encoding) request.body_encoding = encoding;
  if (errors.length > 0) throw new RestRequestError("Request envelope is malformed", 400, errors);
  return request;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isQueryValue = (v: unknown): v is string | string[] => typeof v === "string" || (Array.isArray(v) && v.every(isString));

function envelopeText<F extends string | undefined>(envelope: Record<string, unknown>, key: string, fallback: F, errors: FieldError[]): string | F {
  const v = envelope[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string") return v;
  errors.push({ in: "envelope", pointer: "/" + key, message: "expected a string" });
  return fallback;
}

/** A map of strings (or query values); numbers and booleans become strings. */
function envelopeMap<T>(envelope: Record<string, unknown>, key: string, ok: (v: unknown) => v is T, owned: boolean, errors: FieldError[]): Record<string, T> {
  const v = envelope[key];
  if (v === undefined || v === null) return ownMap();
  if (!isStringRecord(v)) {
    errors.push({ in: "envelope", pointer: "/" + key, message: "expected an object" });
    return ownMap();
  }
  // A JSON.parse result or a spread copy: its keys, `__proto__` included, are own, and readers
  // (params.ts) look up own keys only, so an inherited `constructor` is never a parameter.
  const out: Record<string, unknown> = owned ? v : { ...v };
  // for…in, not Object.keys: no key array per map per request (hasOwn guards against a polluted prototype).
  for (const k in out) {
    if (!Object.hasOwn(out, k)) continue;
    const item = out[k];
    if (ok(item)) continue;
    if (typeof item === "number" || typeof item === "boolean") out[k] = String(item);
    else errors.push({ in: "envelope", pointer: `/${key}/${escapePointer(k)}`, message: "expected a string" });
  }
  return out as Record<string, T>;
}

const UPPER_CASE = /[A-Z]/;

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  for (const k in headers) {
    if (!UPPER_CASE.test(k)) continue;
    const out = ownMap<string>();
    for (const [name, v] of Object.entries(headers)) out[name.toLowerCase()] = v;
    return out;
  }
  return headers;
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** A wrapped REST reply with a status code (JSON body). */
export function restResponse(status: number, body: unknown, options: { contentType?: string; headers?: Record<string, string> } = {}): WrappedResponse {
  const reply: WrappedResponse = { body: body ?? null, statuscode: status, contenttype: options.contentType ?? "application/json" };
  if (options.headers && Object.keys(options.headers).length > 0) reply.headers = options.headers;
  return reply;
}

/** A wrapped problem+json reply. */
export function restError(status: number, message: string, errors?: FieldError[], headers?: Record<string, string>): WrappedResponse {
  return restResponse(status, problem(status, message, errors), { contentType: PROBLEM_JSON, headers });
}

export function problem(status: number, detail: string, errors?: FieldError[]): Problem {
  const p: Problem = {
    type: status === 400 ? "urn:symphony:problem:invalid-request" : "about:blank",
    title: statusTitle(status),
    status,
    detail,
  };
  if (errors && errors.length > 0) p.errors = errors;
  return p;
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$|^[\w.+-]+\/[\w.+-]*\+json$/i;

/** True for application/json, application/problem+json, application/vnd.x+json and the like. */
export function isJsonMediaType(contentType: string): boolean {
  return JSON_MEDIA.test(baseMediaType(contentType));
}

/** `text/plain; charset=utf-8` → `text/plain`. */
export function baseMediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}
