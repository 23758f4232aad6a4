/**
 * The one generic dispatcher: envelope → decode → handler → encode → wrapped reply.
 * Generated code passes it tables (operations, schemas) and the user's handlers.
 */
import type { Msg, NatsConnection, Service } from "nats";
import { decodeRequest, prepareOperation, type PreparedOperation } from "./request.js";
import { buildSchema, type OperationSpec } from "./operation.js";
import { matchMediaType } from "./body.js";
import { InvalidConfiguration, SpecTooLarge } from "../core/errors.js";
import type { Extension } from "../sdk/extension.js";
import type { Logger } from "../core/log.js";
import type { Span } from "@opentelemetry/api";
import { parentFromHeaders, registeredOpenTelemetry, RequestTrace, SpanKind, type FinishedSpan, type SpanExporter } from "../core/trace-context.js";
import type { Requester } from "../client/client.js";
import {
  inlineOpenApiMetadata,
  referencedOpenApiMetadata,
  objectDigestHex,
  OPENAPI_KEY,
  specDigest,
  specStream,
  specText,
  SPEC_BUCKET,
  type EmbeddedSpec,
  type ObjectLoader,
} from "../sdk/metadata.js";
import { issueLocations, issuePointer } from "./issues.js";
import { withoutPrototypes } from "../core/own.js";
import { ReplyWindow } from "./reply-window.js";
import { serveEndpoints, type GroupEndpoint } from "./group.js";
import { releaseYoungGeneration } from "../core/young-generation.js";
import { encodeResponse, InvalidResponse, responseKey } from "./response.js";
import { parseRestRequest, restError, RestRequestError, type RestRequest, type WrappedResponse } from "./envelope.js";

/** Everything the generator knows about an API, as plain data. */
export interface ApiDefinition {
  /** Service name (already sanitised to NATS rules). */
  name: string;
  /** Semver. */
  version: string;
  description: string;
  /**
   * The bundled OpenAPI document, announced as service metadata (verbatim, compressed or as an
   * object-store reference, whichever fits); absent for services that are not a REST API (webhooks).
   */
  openapi?: EmbeddedSpec;
  /** Subject token after the prefix, e.g. "webhooks" → `cirata.extensions.<prefix>.webhooks.<endpoint>`. */
  subgroup?: string;
  operations: readonly OperationSpec[];
}

export interface HandlerContext {
  /** Operation's handler name. */
  operation: string;
  /** The raw envelope, for anything the typed request does not carry (e.g. undeclared headers). */
  request: RestRequest;
  /** NATS subject the request arrived on. */
  subject: string;
  log: Logger;
  /**
   * The request's span (OpenTelemetry's `Span`), continuing the trace the request carries
   * (`traceparent`). Set attributes on it; pass `{ parent: ctx }` to a typed client to continue
   * the trace in the extension it calls.
   */
  readonly span: Span;
}

export interface RegisterOptions {
  /** Extra service metadata (the `openapi` key is always the spec). */
  metadata?: Record<string, string>;
  /** Queue group; NATS micro's default ("q") lets instances share load. */
  queue?: string;
  /**
   * Check every handler's response body against the schema the spec declares for its status
   * (exact, then `2XX`-style range, then `default`) and JSON content type. A body that does not
   * match is logged as an error naming each offending field by JSON pointer, and the caller gets
   * a 500 problem instead. Default: on when the environment variable `SYMPHONY_DEV` is `1`
   * (what `symphony-codegen dev` tells you to set), off otherwise.
   */
  validateResponses?: boolean;
  /**
   * Where each request's finished span goes (in addition to an OpenTelemetry SDK the process
   * registered, which exports its own). Default: under `symphony-codegen dev` (`SYMPHONY_DEV=1`),
   * published on `symphony.dev.spans.<prefix>` for the local platform's trace view; otherwise nowhere.
   * `false`: nowhere.
   */
  exportSpans?: ((span: FinishedSpan) => void) | false;
}

export interface HandleOptions {
  /** See RegisterOptions.validateResponses. */
  validateResponses?: boolean;
  /** Where finished request spans go (RegisterOptions.exportSpans). */
  spans?: SpanExporter;
}

/** Subject prefix of the spans extensions publish under `symphony-codegen dev`: `<this>.<prefix>`. */
export const DEV_SPANS_SUBJECT = "symphony.dev.spans";

/** One field of a response body that does not match its declared schema. */
export interface ResponseIssue {
  /** JSON pointer into the response body ("" for the body itself). */
  pointer: string;
  message: string;
}

/** Whether response validation is on when `register()` is given no `validateResponses`. */
export function responseValidationDefault(env: Record<string, string | undefined> = process.env): boolean {
  return env.SYMPHONY_DEV === "1";
}

/**
 * Checks a reply's body against the schema declared for its status and content type.
 * Returns undefined when nothing is declared to check against (no JSON schema for that
 * status/media type), else the offending fields (empty when the body matches).
 */
export function checkResponse(op: OperationSpec, reply: WrappedResponse): ResponseIssue[] | undefined {
  const key = responseKey(op.responses, reply.statuscode ?? 200);
  const bodies = key === undefined ? undefined : op.responseBodies?.[key];
  if (!bodies || reply.contenttype === undefined) return undefined;
  const mediaType = matchMediaType(Object.keys(bodies), reply.contenttype);
  if (mediaType === undefined) return undefined;
  // Checked as a copy without prototypes: a reply without a `toString` property has none (not Object.prototype's).
  const result = buildSchema(bodies[mediaType]!).safeParse(withoutPrototypes(reply.body));
  if (result.success) return [];
  // Values are not shown: the log would carry them (a leaked secret is exactly what this catches).
  const input = { value: reply.body, echo: "type" } as const;
  return result.error.issues.flatMap((issue) => issueLocations(issue, input)).map(({ path, message }) => ({ pointer: issuePointer(path), message }));
}

type AnyHandler = (req: unknown, ctx: HandlerContext) => unknown;

/**
 * The context a handler gets. The subject is read from the message only when asked for: nats.js
 * decodes a message's subject bytes on first access, and most handlers never look. The span is
 * made when asked for too, unless spans are exported or OpenTelemetry is registered.
 */
class RequestContext implements HandlerContext {
  #trace?: RequestTrace;
  readonly #started = performance.now();

  constructor(
    private readonly op: PreparedOperation,
    readonly request: RestRequest,
    readonly log: Logger,
    private readonly source: { readonly subject: string },
    private readonly spans: SpanExporter | undefined,
  ) {
    if (spans || registeredOpenTelemetry()) this.#trace = this.#startTrace();
  }

  get operation(): string {
    return this.op.handler;
  }

  get subject(): string {
    return this.source.subject;
  }

  get span(): Span {
    return (this.#trace ??= this.#startTrace()).span;
  }

  #startTrace(): RequestTrace {
    const { method, path, handler, endpoint } = this.op;
    return new RequestTrace(
      `${method} ${path}`,
      SpanKind.Server,
      parentFromHeaders(this.request.headers),
      { "http.request.method": method, "http.route": path, "symphony.operation": handler, "symphony.endpoint": endpoint },
      performance.timeOrigin + this.#started,
    );
  }

  /** Whether the span is started (exported, or OpenTelemetry registered). */
  get traced(): boolean {
    return this.#trace !== undefined;
  }

  /** Runs the handler with the span active in OpenTelemetry's context (when registered). */
  run<T>(fn: () => T): T {
    return this.#trace ? this.#trace.run(fn) : fn();
  }

  /** Ends the request's span with the reply's status, exporting it; returns the reply. */
  done(reply: WrappedResponse): WrappedResponse {
    this.#trace?.finish(reply.statuscode ?? 200, this.spans);
    return reply;
  }
}

/** Handles one request; never throws, always produces exactly one reply. */
export async function handleRequest(
  op: PreparedOperation,
  handler: AnyHandler,
  payload: Uint8Array,
  subject: string,
  log: Logger,
  options: HandleOptions = {},
): Promise<WrappedResponse> {
  return dispatch(op, handler, payload, { subject }, log, options);
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as PromiseLike<unknown>).then === "function";

/**
 * `handleRequest`, answering synchronously when the handler does: no promise, no extra
 * microtask per request (what latency at 1 in flight is made of).
 */
function dispatch(
  op: PreparedOperation,
  handler: AnyHandler,
  payload: Uint8Array,
  source: { readonly subject: string },
  log: Logger,
  options: HandleOptions,
): WrappedResponse | Promise<WrappedResponse> {
  let ctx: RequestContext | undefined;
  try {
    const request = parseRestRequest(payload);
    const c = (ctx = new RequestContext(op, request, log, source, options.spans));
    const decoded = decodeRequest(op, request);
    // Through `run` (a closure) only when a span is already started: the common path allocates nothing more.
    const response = c.traced ? c.run(() => handler(decoded, c)) : handler(decoded, c);
    if (isThenable(response)) {
      return Promise.resolve(response).then(
        (r) => c.done(reply(op, r, log, options)),
        (err: unknown) => c.done(failure(op, err, log)),
      );
    }
    return c.done(reply(op, response, log, options));
  } catch (err) {
    return ctx ? ctx.done(failure(op, err, log)) : failure(op, err, log);
  }
}

/** The wrapped reply for a handler's response (a 500 when it is invalid). */
function reply(op: PreparedOperation, response: unknown, log: Logger, options: HandleOptions): WrappedResponse {
  try {
    const wrapped = encodeResponse(op.responses, response);
    if (options.validateResponses) {
      const issues = checkResponse(op, wrapped);
      if (issues && issues.length > 0) {
        const first = issues[0]!;
        log.error("handler returned a response body that does not match its schema", {
          operation: op.handler,
          status: wrapped.statuscode ?? 200,
          contentType: wrapped.contenttype,
          pointer: first.pointer,
          detail:
            `response body ${first.pointer === "" ? "(root)" : first.pointer}: ${first.message}` +
            (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
          errors: issues,
        });
        return restError(500, "The request could not be completed");
      }
    }
    return wrapped;
  } catch (err) {
    return failure(op, err, log);
  }
}

function failure(op: PreparedOperation, err: unknown, log: Logger): WrappedResponse {
  if (err instanceof RestRequestError) {
    log.info("request rejected", { operation: op.handler, status: err.status, errors: err.errors });
    return restError(err.status, err.message, err.errors, err.headers);
  }
  const reason = err instanceof InvalidResponse ? "handler returned an invalid response" : "handler failed";
  log.error(reason, { operation: op.handler, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  return restError(500, "The request could not be completed");
}

/** The reply's text. A body JSON cannot represent (a BigInt, a cycle) is the handler's fault: a 500. */
function replyText(op: PreparedOperation, wrapped: WrappedResponse, log: Logger): string {
  try {
    return JSON.stringify(wrapped);
  } catch (err) {
    return JSON.stringify(failure(op, new InvalidResponse(`body is not JSON-serialisable: ${(err as Error).message}`), log));
  }
}

/** NATS micro's default queue group: instances share load. */
const DEFAULT_QUEUE = "q";

/** NATS's default max_payload, for a connection that has not said its server's yet. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Reply bytes a service may have in flight before new requests wait (runtime/serve/reply-window.ts): 8 replies of the default max_payload. */
const REPLY_WINDOW_BYTES = 8 * 1024 * 1024;

/** Problem type of a reply too large for NATS to carry (docs/protocol.md, Replies). */
export const REPLY_TOO_LARGE = "urn:symphony:problem:reply-too-large";

/**
 * The reply to send instead of one NATS cannot carry. A 502: the handler answered, but the
 * transport between it and the caller cannot deliver that answer (not a handler fault, so no 500).
 */
function replyTooLarge(bytes: number, limit: number): string {
  const detail = `The reply is ${bytes} bytes but the NATS server's max_payload is ${limit} bytes; ask for less (page through the results, e.g. with a limit parameter)`;
  const wrapped = restError(502, detail);
  wrapped.body = { ...(wrapped.body as object), type: REPLY_TOO_LARGE, replyBytes: bytes, maxPayload: limit };
  return JSON.stringify(wrapped);
}

/**
 * Sends the reply: the caller always gets exactly one, as long as the connection can still carry
 * anything. A reply over the server's max_payload (payload bytes; the subject does not count)
 * becomes a 502 problem naming both sizes; any other publish failure is answered with a 500.
 * Never throws.
 */
function respond(msg: Msg, op: PreparedOperation, wrapped: WrappedResponse, log: Logger, limit: number, window: ReplyWindow): void {
  let data = Buffer.from(replyText(op, wrapped, log), "utf8"); // Buffer.from: a third of TextEncoder's cost for reply-sized strings
  if (data.length > limit) {
    const fields = { endpoint: op.endpoint, operation: op.handler, status: wrapped.statuscode ?? 200, bytes: data.length, maxPayload: limit };
    log.error("reply exceeds the NATS max_payload", fields);
    data = Buffer.from(replyTooLarge(data.length, limit), "utf8");
  }
  try {
    msg.respond(data);
  } catch (err) {
    log.error("reply failed", { endpoint: op.endpoint, operation: op.handler, bytes: data.length, error: String(err) });
    try {
      msg.respond(Buffer.from(JSON.stringify(restError(500, "The request could not be completed")), "utf8"));
    } catch {
      // The connection cannot carry anything (closed): no answer is possible.
    }
    return;
  }
  window.sent(data.length);
}

export interface LocalOptions {
  /** Check handlers' response bodies against the spec (default: on; tests should catch a wrong body). */
  validateResponses?: boolean;
  /** Where the dispatcher logs (default: nowhere). */
  log?: Logger;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };

/**
 * A requester that serves an API's handlers in this process, through the same decode → handler →
 * encode path as `serveApi`, without NATS: pass it to the generated `createClient(requester, prefix)`
 * to unit-test handlers with typed requests and responses. A subject that names no operation
 * rejects like NATS does when nobody listens (code "503").
 */
export function localRequester(api: Pick<ApiDefinition, "operations">, handlers: object, options: LocalOptions = {}): Requester {
  const table = handlers as Record<string, unknown>;
  const log = options.log ?? SILENT;
  const handleOptions: HandleOptions = { validateResponses: options.validateResponses ?? true };
  const byEndpoint = new Map<string, { op: PreparedOperation; handler: AnyHandler }>();
  for (const spec of api.operations) {
    const handler = table[spec.handler];
    if (typeof handler === "function") byEndpoint.set(spec.endpoint, { op: prepareOperation(spec), handler: (handler as AnyHandler).bind(handlers) });
  }
  return {
    async request(subject: string, payload?: Uint8Array | string) {
      const target = byEndpoint.get(subject.slice(subject.lastIndexOf(".") + 1));
      if (!target) throw Object.assign(new Error(`no handler serves ${subject}`), { code: "503" });
      const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : (payload ?? new Uint8Array());
      const wrapped = await dispatch(target.op, target.handler, data, { subject }, log, handleOptions);
      return { subject, data: Buffer.from(replyText(target.op, wrapped, log), "utf8") } as unknown as Msg;
    },
  };
}

/** What every operation of one served API shares. */
interface ServedApi {
  ext: Extension;
  log: Logger;
  options: HandleOptions;
  window: ReplyWindow;
  /** The server's max_payload, read per reply: a reconnect may land on a server with another limit. */
  limit(): number;
}

/**
 * An operation as served: prepared (readers, body decoders, the bound handler) on its first request,
 * not at registration: an extension serving 12,000 operations would otherwise hold 2.5 KB per
 * operation for endpoints nobody calls, and take longer to start.
 */
class ServedOperation implements GroupEndpoint {
  #prepared?: { op: PreparedOperation; handler: AnyHandler };

  /** The handler is taken at registration (checked there), bound to its object when first called. */
  constructor(
    private readonly spec: OperationSpec,
    private readonly handler: AnyHandler,
    private readonly handlers: object,
    private readonly api: ServedApi,
  ) {}

  get name(): string {
    return this.spec.endpoint;
  }

  metadata(): Record<string, string> {
    return { method: this.spec.method, path: this.spec.path };
  }

  serve(msg: Msg): void {
    const { ext, log, options, window } = this.api;
    const queued = window.admit(() => {
      const { op, handler } = (this.#prepared ??= { op: prepareOperation(this.spec), handler: this.handler.bind(this.handlers) });
      const wrapped = dispatch(op, handler, msg.data, msg, log, options);
      // Only asynchronous handlers are still in flight when this returns (shutdown waits for them).
      // `dispatch` settles every promise with a reply; the rejection branch is there so that, should that ever
      // break, the caller still gets a 500 rather than a timeout (respond itself never throws).
      if (wrapped instanceof Promise) {
        void ext.track(
          wrapped.then(
            (w) => respond(msg, op, w, log, this.api.limit(), window),
            (e: unknown) => respond(msg, op, failure(op, e, log), log, this.api.limit(), window),
          ),
        );
      } else respond(msg, op, wrapped, log, this.api.limit(), window);
    });
    if (queued) void ext.track(queued);
  }
}

/**
 * Registers one micro service for the API: one endpoint per operation under `cirata.extensions.<prefix>`,
 * each on its own queue subscription without nats.js's per-endpoint machinery (runtime/serve/group.ts).
 */
export async function serveApi(ext: Extension, api: ApiDefinition, handlers: object, options: RegisterOptions = {}): Promise<Service> {
  const table = handlers as Record<string, unknown>;
  const missing = api.operations.filter((op) => typeof table[op.handler] !== "function").map((op) => op.handler);
  if (missing.length > 0) throw new InvalidConfiguration(`Handlers missing for: ${missing.join(", ")}`);

  const metadata = await specMetadata(ext, api, options);
  const service = await ext.addEndpoints(api.name, api.version, api.description, metadata);
  const log = ext.log.child({ service: api.name });
  const limit = () => ext.conn()?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  const served: ServedApi = {
    ext,
    log,
    options: { validateResponses: options.validateResponses ?? responseValidationDefault(), spans: spanExporter(ext, service, options) },
    limit,
    window: new ReplyWindow(
      async () => ext.conn()?.flush(),
      () => Math.max(REPLY_WINDOW_BYTES, 4 * limit()),
    ),
  };
  const endpoints = api.operations.map((spec) => new ServedOperation(spec, table[spec.handler] as AnyHandler, handlers, served));
  const subject = groupSubject(ext, api);
  try {
    serveEndpoints(ext.conn()!, service, endpoints, { subject, queue: options.queue || DEFAULT_QUEUE, log });
    ext.assertDescribable(service);
  } catch (err) {
    await service.stop();
    throw metadata[OPENAPI_KEY] === undefined ? endpointsTooLarge(err, api) : err;
  }
  // The server has the endpoint subscriptions once this round trip completes: callers may send right away.
  await ext.conn()?.flush();
  releaseYoungGeneration();
  log.info("service registered", {
    version: api.version,
    endpoints: api.operations.length,
    group: subject,
    validateResponses: served.options.validateResponses,
  });
  return service;
}

/** Where the served API's request spans go (RegisterOptions.exportSpans), whose instance is `service`. */
function spanExporter(ext: Extension, service: Service, options: RegisterOptions): SpanExporter | undefined {
  const chosen = options.exportSpans ?? (process.env.SYMPHONY_DEV === "1" ? "dev" : false);
  if (chosen === false) return undefined;
  let instance: string | undefined;
  const subject = `${DEV_SPANS_SUBJECT}.${ext.prefix}`;
  return {
    service: ext.prefix,
    instance: () => (instance ??= service.ping().id),
    export:
      chosen === "dev"
        ? (span) => {
            const nc = ext.conn();
            if (nc && !nc.isClosed()) nc.publish(subject, JSON.stringify(span));
          }
        : chosen,
  };
}

/**
 * The error for a service that cannot describe itself although its INFO reply carries no document (it is
 * in the object store, or there is none): its endpoint list alone is too large, which shrinking the
 * document cannot fix.
 */
function endpointsTooLarge(err: unknown, api: ApiDefinition): unknown {
  if (!(err instanceof SpecTooLarge)) return err;
  const perEndpoint = Math.round(err.infoBytes / Math.max(1, api.operations.length));
  return new SpecTooLarge(
    `Service ${api.name} cannot describe itself: its $SRV.INFO reply would be ${err.infoBytes} bytes but the NATS server's max_payload is ${err.maxPayload} bytes, ` +
      `and the OpenAPI document is not what fills it: its ${api.operations.length} endpoints are (${perEndpoint} bytes each: name, subject, queue group, method, path). ` +
      `Raise the server's max_payload above ${err.infoBytes} bytes (nats-server \`max_payload\`, e.g. 8MB), or serve the API as several services.`,
    err.infoBytes,
    err.maxPayload,
  );
}

/** Size in bytes of the `$SRV.INFO` reply the service will give (its id is 22 characters). */
function infoBytes(ext: Extension, api: ApiDefinition, metadata: Record<string, string>, queue: string): number {
  const info = {
    type: "io.nats.micro.v1.info_response",
    name: api.name,
    id: "x".repeat(22),
    version: api.version,
    description: api.description,
    metadata,
    endpoints: api.operations.map((op) => ({
      name: op.endpoint,
      subject: `${groupSubject(ext, api)}.${op.endpoint}`,
      queue_group: queue,
      metadata: { method: op.method, path: op.path },
    })),
  };
  return Buffer.byteLength(JSON.stringify(info));
}

/** The spec as service metadata in the first form that fits max_payload (runtime/sdk/metadata.ts). */
async function specMetadata(ext: Extension, api: ApiDefinition, options: RegisterOptions): Promise<Record<string, string>> {
  const nc = ext.conn()!;
  const limit = nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  const extra = options.metadata ?? {};
  const fits = (m: Record<string, string>) => infoBytes(ext, api, { ...extra, ...m }, options.queue || DEFAULT_QUEUE) <= limit;
  if (api.openapi === undefined) return extra;
  const inline = inlineOpenApiMetadata(api.openapi, fits, limit);
  if (inline) return { ...extra, ...inline };
  // Too large even compressed: keep the document in the object store, announce a reference.
  const digest = await specDigest(api.openapi);
  const name = `${ext.prefix}.${api.name}.${api.version}.${digest.slice(0, 16)}`;
  try {
    const os = await nc.jetstream().views.os(SPEC_BUCKET, { description: "OpenAPI documents of Symphony services" });
    // Another instance (or an earlier start) of this version stored it already: most starts upload nothing.
    const stored = await os.info(name);
    if (stored && !stored.deleted && objectDigestHex(stored.digest) === digest) {
      ext.log.info("spec already in the object store", { bucket: SPEC_BUCKET, object: name, bytes: stored.size });
    } else {
      // Streamed, decompressed piece by piece: the document is never held whole.
      const info = await os.put({ name }, specStream(api.openapi));
      ext.log.info("spec stored in the object store", { bucket: SPEC_BUCKET, object: name, bytes: info.size });
    }
  } catch (err) {
    ext.log.error("could not store the spec in the object store", { bucket: SPEC_BUCKET, error: (err as Error).message });
    return { ...extra, openapi: specText(api.openapi) }; // registration then fails with the size error, naming both figures
  }
  return { ...extra, ...referencedOpenApiMetadata(digest, name) };
}

/** Reads spec objects for `decodeOpenApiMetadata` through a connection's JetStream. */
export function objectLoader(nc: NatsConnection): ObjectLoader {
  return async (bucket, name) => {
    const os = await nc.jetstream().views.os(bucket);
    return os.getBlob(name);
  };
}

function groupSubject(ext: Extension, api: ApiDefinition): string {
  return `cirata.extensions.${ext.prefix}${api.subgroup ? "." + api.subgroup : ""}`;
}
