/**
 * The typed client's engine: builds the envelope an operation expects, sends it
 * to the endpoint over NATS and returns the reply as `{ status, body, headers, contentType }`.
 */
import type { Span } from "@opentelemetry/api";
import { isValidTraceId, registeredOpenTelemetry, traceHeaders } from "../core/trace-context.js";
import type { Msg } from "nats";
import type { OperationSpec } from "../serve/operation.js";
import { ConnectionFailed, Other, PayloadTooLarge, Timeout } from "../core/errors.js";
import { baseMediaType, isJsonMediaType, type RestRequest } from "../serve/envelope.js";
import { BASE64, boundaryOf, buildMultipart, formUrlEncode, fromBase64, isBytes, toBase64 } from "../serve/media.js";
import { own, ownMap } from "../core/own.js";
import { fillPath, queryString, serializeParam, type SerializedParams } from "./serialize.js";
import { isIdempotent, requestWithRetry, type Requester } from "../core/retry.js";

export type { Requester } from "../core/retry.js";

export interface CallOptions {
  /** ms, default 10 s: the call settles within it, retries included. */
  timeout?: number;
  /**
   * Whether the call may be sent more than once (runtime/core/retry.ts); default: the operation's method
   * is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) or it is marked `x-symphony-idempotent`.
   */
  idempotent?: boolean;
  /** Extra headers for the envelope (lower-cased). */
  headers?: Record<string, string>;
  /**
   * The span this call continues (W3C `traceparent`/`tracestate` in the envelope): a handler's
   * context (`{ parent: ctx }`) or any OpenTelemetry span. Without it, the span active in a
   * registered OpenTelemetry context, if any.
   */
  parent?: { readonly span: Pick<Span, "spanContext"> } | Pick<Span, "spanContext">;
}

export interface ClientInput {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  body?: unknown;
  /** Media type of the body (default: the first the operation declares). */
  contentType?: string;
}

export interface ClientResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  contentType: string;
}

const LOCATION_FIELD = { path: "path", query: "query", header: "headers", cookie: "cookies" } as const;
const WRAPPED_KEYS = new Set(["body", "statuscode", "contenttype", "headers", "bodyencoding"]);

/** Envelope for one call (exported for tests and for clients of other transports). */
export function buildEnvelope(op: OperationSpec, input: ClientInput = {}, extraHeaders: Record<string, string> = {}): RestRequest {
  // Parameters of any name, `__proto__` and `constructor` included: read by own keys, written to maps without a prototype.
  const out: SerializedParams = { pathParams: ownMap(), query: ownMap(), headers: ownMap(), cookies: [] };
  for (const param of op.params) {
    const bag = input[LOCATION_FIELD[param.in]] as Record<string, unknown> | undefined;
    serializeParam(param, bag && own(bag, param.name), out);
  }
  const headers = ownMap<string>();
  for (const [k, v] of Object.entries(extraHeaders)) headers[k.toLowerCase()] = v;
  Object.assign(headers, out.headers);
  if (out.cookies.length > 0) headers.cookie = out.cookies.join("; ");
  const path = fillPath(op.path, out.pathParams);
  const envelope: RestRequest = {
    method: op.method,
    url: path + queryString(out.query),
    path,
    headers,
    path_params: out.pathParams,
    query_params: out.query,
  };
  if (input.body !== undefined) {
    const contentType = input.contentType ?? Object.keys(op.body?.content ?? {})[0] ?? "application/json";
    const { headers: bodyHeaders, ...encoded } = encodeBody(input.body, contentType);
    Object.assign(envelope, encoded);
    headers["content-type"] = bodyHeaders?.["content-type"] ?? contentType;
  }
  return envelope;
}

/** A request body in the envelope: JSON as is, forms encoded, bytes and multipart as base64. */
function encodeBody(body: unknown, contentType: string): Pick<RestRequest, "body" | "body_encoding"> & { headers?: Record<string, string> } {
  const base = baseMediaType(contentType);
  if (isBytes(body)) return { body: toBase64(body), body_encoding: BASE64 };
  // `""` and `null` in an envelope mean "no body": the JSON values "" and null go as their text's bytes.
  if (isJsonMediaType(base))
    return body === "" || body === null ? { body: toBase64(new TextEncoder().encode(JSON.stringify(body))), body_encoding: BASE64 } : { body };
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
  if (base === "application/x-www-form-urlencoded" && record) return { body: formUrlEncode(record) };
  if (base === "multipart/form-data" && record) {
    const boundary = boundaryOf(contentType) ?? `symphony-${Math.random().toString(36).slice(2)}`;
    return {
      body: toBase64(buildMultipart(record, boundary)),
      body_encoding: BASE64,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    };
  }
  return { body: typeof body === "string" ? body : JSON.stringify(body) };
}

/** Reads a wrapped or raw reply (docs/protocol.md). */
export function readReply(data: Uint8Array): ClientResponse {
  const text = new TextDecoder().decode(data);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: 200, body: text, headers: {}, contentType: "text/plain" };
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && "body" in value && Object.keys(value).every((k) => WRAPPED_KEYS.has(k))) {
    const w = value as { body: unknown; statuscode?: unknown; contenttype?: unknown; headers?: unknown; bodyencoding?: unknown };
    const status = typeof w.statuscode === "number" && Number.isInteger(w.statuscode) && w.statuscode >= 100 && w.statuscode <= 599 ? w.statuscode : 200;
    const headers: Record<string, string> = {};
    if (typeof w.headers === "object" && w.headers !== null) {
      for (const [k, v] of Object.entries(w.headers)) if (v !== undefined && v !== null) headers[k] = String(v);
    }
    const body = w.bodyencoding === BASE64 && typeof w.body === "string" ? fromBase64(w.body) : w.body;
    return { status, body, headers, contentType: typeof w.contenttype === "string" ? w.contenttype : "application/json" };
  }
  return { status: 200, body: value, headers: {}, contentType: "application/json" };
}

/** The envelope's extra headers, with the trace context of `options.parent` (or OpenTelemetry's active span). */
function withTraceContext(options: CallOptions): Record<string, string> | undefined {
  const parent = options.parent ? ("span" in options.parent ? options.parent.span : options.parent) : registeredOpenTelemetry()?.trace.getActiveSpan();
  if (!parent || !isValidTraceId(parent.spanContext().traceId)) return options.headers;
  return { ...options.headers, ...traceHeaders(parent) };
}

export async function callOperation(
  nc: Requester,
  prefix: string,
  op: OperationSpec,
  input: ClientInput | undefined,
  options: CallOptions = {},
): Promise<ClientResponse> {
  const subject = `cirata.extensions.${prefix}.${op.endpoint}`;
  const payload = requestBytes(nc, subject, buildEnvelope(op, input, withTraceContext(options)));
  const idempotent = options.idempotent ?? isIdempotent(op.method, op.idempotent);
  let msg: Msg;
  try {
    msg = await requestWithRetry(nc, subject, payload, { timeoutMs: options.timeout ?? 10_000, idempotent });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "503") throw new ConnectionFailed(`No instance of extension ${prefix} is answering ${op.endpoint}`, { cause: err });
    if (code === "TIMEOUT") throw new Timeout(`${op.endpoint} did not answer within ${options.timeout ?? 10_000} ms`, { cause: err });
    throw new Other(`Request to ${subject} failed: ${(err as Error).message}`, { cause: err });
  }
  return readReply(msg.data);
}

/**
 * The request's bytes, or PayloadTooLarge naming both sizes when they exceed the connected
 * server's max_payload: NATS would refuse them (nats.js throws MAX_PAYLOAD_EXCEEDED, with no figures).
 * A requester that says nothing about its server (localRequester) is not checked.
 */
export function requestBytes(nc: Requester, subject: string, request: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(request), "utf8");
  const limit = (nc as { info?: { max_payload?: number } }).info?.max_payload;
  if (limit !== undefined && bytes.length > limit) {
    throw new PayloadTooLarge(`Request to ${subject} is ${bytes.length} bytes but the NATS server's max_payload is ${limit} bytes`, bytes.length, limit);
  }
  return bytes;
}

/** One method per operation, named like the Handlers methods; `T` is the generated Client interface. */
export function createApiClient<T>(nc: Requester, prefix: string, operations: readonly OperationSpec[], defaults: CallOptions = {}): T {
  const client: Record<string, unknown> = {};
  for (const op of operations) {
    client[op.handler] = (input?: ClientInput, options?: CallOptions) => callOperation(nc, prefix, op, input, { ...defaults, ...options });
  }
  return client as T;
}
