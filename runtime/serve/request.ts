/**
 * The typed, validating form of `parseRestRequest`: envelope → { path, query, headers, cookies, body },
 * every parameter split, coerced and validated, every failure named.
 */
import type { z } from "zod";
import { coerceValue, paramReader, parseCookies, UnreadableParam, type ParamReader, type ParamSpec, type ParamLocation, type ValueShape } from "./parameters.js";
import { BASE64, boundaryOf, fromBase64, isBytes, isTextMediaType, multipartFields, parseFormUrlEncoded, parseMultipart } from "./media.js";
import { issueLocations, issuePointer } from "./issues.js";
import { checkJsonValue } from "./limits.js";
import { own, ownMap, withoutPrototypes } from "../core/own.js";
import { RestRequestError, baseMediaType, isJsonMediaType, type FieldError, type RestRequest } from "./envelope.js";

/**
 * A table's schema, as a thunk: built on first use (`buildSchema`), so an extension serving
 * GitHub's 1,223 operations holds only the schemas its traffic has needed.
 */
export type SchemaThunk = () => z.ZodType;

const builtSchemas = new WeakMap<SchemaThunk, z.ZodType>();

/** The schema a thunk builds, built once. */
export function buildSchema(thunk: SchemaThunk): z.ZodType {
  let schema = builtSchemas.get(thunk);
  if (!schema) builtSchemas.set(thunk, (schema = thunk()));
  return schema;
}

export interface ParamEntry extends ParamSpec {
  schema: SchemaThunk;
}

export interface BodySpec {
  required: boolean;
  /** Media type (as declared, may contain wildcards) → schema; null when the body is not validated. */
  content: Readonly<Record<string, SchemaThunk | null>>;
  /** For form and multipart media types: how to coerce each field's strings. */
  shapes?: Readonly<Record<string, ValueShape>>;
}

/** One operation as the generator describes it to the runtime. */
export interface OperationSpec {
  /** Method name on the generated Handlers interface. */
  handler: string;
  /** NATS endpoint name. */
  endpoint: string;
  method: string;
  path: string;
  /** `x-symphony-idempotent: true`: may be retried although its method is not idempotent (runtime/core/retry.ts). */
  idempotent?: boolean;
  params: readonly ParamEntry[];
  body?: BodySpec;
  /** Response key ("200", "2XX", "default") → default content type, null for no content. */
  responses: Readonly<Record<string, string | null>>;
  /**
   * Response key → JSON media type (as declared) → the body's schema, for optional response
   * validation (`register(..., { validateResponses: true })`). Thunks: built on first use only.
   */
  responseBodies?: Readonly<Record<string, Readonly<Record<string, SchemaThunk>>>>;
}

/** What a handler receives. Its objects, at any depth, have no prototype: a member it was not sent reads as undefined, whatever its name. */
export interface DecodedRequest {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  body: unknown;
  /** The media type the body was read as. */
  contentType?: string;
}

const LOCATION_KEY: Record<ParamLocation, keyof Omit<DecodedRequest, "body" | "contentType">> = {
  path: "path",
  query: "query",
  header: "headers",
  cookie: "cookies",
};

/** How a body of one media type is read (docs/protocol.md, "Bodies"). */
type BodyKind = "json" | "form" | "multipart" | "text" | "binary";

function bodyKind(mediaType: string): BodyKind {
  const base = baseMediaType(mediaType);
  if (isJsonMediaType(base)) return "json";
  if (base === "application/x-www-form-urlencoded") return "form";
  if (base === "multipart/form-data") return "multipart";
  return isTextMediaType(base) || base.endsWith("*") ? "text" : "binary";
}

interface PreparedParam {
  spec: ParamEntry;
  key: keyof Omit<DecodedRequest, "body" | "contentType">;
  read: ParamReader;
}

interface PreparedBody {
  spec: BodySpec;
  declared: readonly string[];
  kinds: Readonly<Record<string, BodyKind>>;
  /** Content type as sent → declared media type; content types repeat, so matching happens once per distinct one. */
  matched: Map<string, string | undefined>;
}

/** Distinct content types remembered per operation (multipart boundaries make them unbounded). */
const MATCH_CACHE_SIZE = 64;

/** Compiled once per operation: each parameter's reader, and how to read each body media type. */
export interface PreparedOperation extends OperationSpec {
  declaredQuery: ReadonlySet<string>;
  hasCookies: boolean;
  readers: readonly PreparedParam[];
  preparedBody?: PreparedBody;
}

export function prepareOperation(op: OperationSpec): PreparedOperation {
  const declaredQuery = new Set(op.params.filter((p) => p.in === "query").map((p) => p.name));
  const declared = op.body ? Object.keys(op.body.content) : [];
  return {
    ...op,
    declaredQuery,
    hasCookies: op.params.some((p) => p.in === "cookie"),
    readers: op.params.map((spec) => ({ spec, key: LOCATION_KEY[spec.in], read: paramReader(spec, declaredQuery) })),
    preparedBody: op.body && {
      spec: op.body,
      declared,
      kinds: Object.fromEntries(declared.map((m) => [m, bodyKind(m)])),
      matched: new Map(),
    },
  };
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}

/** Picks the declared media type for a request's content type: exact, then `type/*`, then `*\/*`. */
export function matchMediaType(declared: readonly string[], contentType: string | undefined): string | undefined {
  if (declared.length === 0) return undefined;
  if (!contentType) return declared.length === 1 ? declared[0] : declared.find((d) => isJsonMediaType(d)) ?? declared[0];
  const wanted = baseMediaType(contentType);
  const lower = declared.map((d) => baseMediaType(d));
  let i = lower.indexOf(wanted);
  if (i < 0) i = lower.indexOf(wanted.split("/")[0] + "/*");
  if (i < 0 && isJsonMediaType(wanted)) i = lower.findIndex((d) => d === "application/json");
  if (i < 0) i = lower.indexOf("*/*");
  return i < 0 ? undefined : declared[i];
}

const NO_COOKIES: Readonly<Record<string, string>> = Object.freeze({});

export function decodeRequest(op: PreparedOperation, request: RestRequest): DecodedRequest {
  // The envelope names the operation it is for: another method sent to this endpoint is not this operation.
  if (request.method !== op.method) {
    const sent = JSON.stringify(request.method.length > 20 ? `${request.method.slice(0, 20)}…` : request.method);
    throw new RestRequestError(`method ${sent} is not allowed: this endpoint serves ${op.method} ${op.path}`, 405, [], { Allow: op.method });
  }
  const errors: FieldError[] = [];
  // The handler's maps hold exactly the parameters sent: an absent `constructor` is undefined, not inherited.
  const decoded: DecodedRequest = { path: ownMap(), query: ownMap(), headers: ownMap(), cookies: ownMap(), body: undefined };
  const cookies = op.hasCookies ? parseCookies(request.headers["cookie"]) : NO_COOKIES;

  for (const { spec, key, read } of op.readers) {
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

  if (op.preparedBody) decodeBody(op.preparedBody, request, decoded, errors);
  if (errors.length > 0) {
    const [first] = errors;
    throw new RestRequestError(`${fieldLocation(first!)}: ${first!.message}` + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""), 400, errors);
  }
  return decoded;
}

/** What a missing parameter, body or body field is told. */
const REQUIRED = "required";

/**
 * How a problem's `detail` names a field, from the same parts as its `errors` entry:
 * `path parameter "id"` (`in`, `name`), `body field /title` (`in`, `pointer`), `body` for the whole body.
 */
export function fieldLocation(error: FieldError): string {
  if (error.in === "body") return error.pointer ? `body field ${error.pointer}` : "body";
  if (error.in === "envelope") return error.pointer ? `envelope field ${error.pointer}` : "envelope";
  return `${error.in} parameter ${JSON.stringify(error.name ?? "")}`;
}

function matchBodyMediaType(body: PreparedBody, contentType: string | undefined): string | undefined {
  const key = contentType ?? "";
  if (body.matched.has(key)) return body.matched.get(key);
  const mediaType = matchMediaType(body.declared, contentType);
  if (body.matched.size < MATCH_CACHE_SIZE) body.matched.set(key, mediaType);
  return mediaType;
}

function decodeBody(prepared: PreparedBody, request: RestRequest, decoded: DecodedRequest, errors: FieldError[]): void {
  const { spec, declared } = prepared;
  const raw = request.body;
  if (raw === undefined || raw === null || raw === "") {
    if (spec.required) errors.push({ in: "body", pointer: "", message: REQUIRED });
    return;
  }
  const contentType = request.headers["content-type"];
  const mediaType = matchBodyMediaType(prepared, contentType);
  if (mediaType === undefined) {
    throw new RestRequestError(`Unsupported content type ${JSON.stringify(contentType ?? "")}; expected ${declared.join(", ")}`, 415, [
      { in: "header", name: "content-type", message: `expected one of ${declared.join(", ")}, got ${JSON.stringify(contentType ?? "")}` },
    ]);
  }
  decoded.contentType = mediaType;
  const kind = prepared.kinds[mediaType]!;
  let body: unknown;
  try {
    body = readBody(raw, request.body_encoding, kind, contentType ?? mediaType, spec.shapes?.[mediaType]);
  } catch (err) {
    errors.push({ in: "body", pointer: "", message: (err as Error).message });
    return;
  }
  // Before validation (and the handler): both recurse, and a 10,000-deep body overflows the stack.
  const exceeded = kind === "json" ? checkJsonValue(body) : undefined;
  if (exceeded) {
    const message = `JSON body ${exceeded.message}`;
    throw new RestRequestError(message, exceeded.status, [{ in: "body", pointer: "", message }]);
  }
  const thunk = spec.content[mediaType];
  if (!thunk) {
    decoded.body = kind === "json" ? withoutPrototypes(body) : body;
    return;
  }
  const schema = buildSchema(thunk);
  // Bytes (files) are checked as strings of the same length, then handed over as bytes; only these kinds carry bytes.
  // JSON is checked as a copy without prototypes: an absent optional `toString` is absent, not Object.prototype's.
  const carriesBytes = kind === "binary" || kind === "multipart";
  const checked = carriesBytes ? withoutPrototypes(body, bytesAsText) : kind === "json" ? withoutPrototypes(body) : body;
  const result = schema.safeParse(checked);
  if (result.success) {
    // zod builds its output of plain objects: copied, so that an absent `toString` reads as undefined in the handler too.
    decoded.body = withoutPrototypes(carriesBytes ? restoreBytes(result.data, body) : result.data);
    return;
  }
  const input = { value: checked, echo: "value" } as const;
  for (const { path, message } of result.error.issues.flatMap((issue) => issueLocations(issue, input))) errors.push({ in: "body", pointer: issuePointer(path), message });
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** The envelope body as the value a handler sees, per media type (docs/protocol.md, "Bodies"). */
function readBody(raw: unknown, encoding: string | undefined, kind: BodyKind, contentType: string, shape: ValueShape | undefined): unknown {
  if (encoding !== undefined && encoding !== BASE64) throw new Error(`Unsupported body_encoding ${JSON.stringify(encoding)}`);
  const bytes = encoding === BASE64 && typeof raw === "string" ? fromBase64(raw) : undefined;
  switch (kind) {
    case "json":
      // The envelope carries JSON bodies parsed (a string is the JSON string value, decoded once);
      // only bytes (body_encoding: base64) are JSON text still to parse.
      if (!bytes) return raw;
      try {
        return JSON.parse(utf8.decode(bytes));
      } catch (err) {
        throw new Error(`Body is not valid JSON: ${(err as Error).message}`);
      }
    case "form":
      return formFields(parseFormUrlEncoded(bodyText(raw, bytes)), shape);
    case "multipart": {
      const boundary = boundaryOf(contentType);
      if (!boundary) throw new Error("multipart/form-data body needs a boundary in its content type");
      return formFields(multipartFields(parseMultipart(bytes ?? encoder.encode(bodyText(raw, bytes)), boundary)), shape);
    }
    case "text":
      return bodyText(raw, bytes);
    case "binary":
      return bytes ?? encoder.encode(bodyText(raw, bytes));
  }
}

function bodyText(raw: unknown, bytes: Uint8Array | undefined): string {
  return bytes ? utf8.decode(bytes) : typeof raw === "string" ? raw : JSON.stringify(raw);
}

/** Form fields coerced by the body's shape; files stay bytes. */
function formFields(values: Record<string, unknown>, shape: ValueShape | undefined): Record<string, unknown> {
  const out = ownMap<unknown>();
  const props = shape?.props ?? NO_PROPS;
  for (const [k, v] of Object.entries(values)) {
    out[k] = isBytes(v) || (Array.isArray(v) && v.some(isBytes)) ? v : coerceValue(v as string | string[], own(props, k) ?? {});
  }
  return out;
}

const NO_PROPS: Readonly<Record<string, ValueShape>> = ownMap();

function bytesAsText(value: unknown): unknown {
  return isBytes(value) ? Buffer.from(value).toString("latin1") : value;
}

function restoreBytes(parsed: unknown, original: unknown): unknown {
  if (isBytes(original)) return original;
  if (Array.isArray(original) && Array.isArray(parsed)) return parsed.map((p, i) => restoreBytes(p, original[i]));
  if (original && typeof original === "object" && parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    const out: Record<string, unknown> = { ...parsed };
    for (const [k, v] of Object.entries(original)) if (Object.hasOwn(out, k)) out[k] = restoreBytes(out[k], v);
    return out;
  }
  return parsed;
}
