/**
 * The REST gateway of the local platform: discovers micro services with
 * `$SRV.INFO`, reads each one's `openapi` metadata, and turns
 * `<METHOD> /api/<prefix><path>` into an envelope request on the endpoint's
 * subject, and the reply back into HTTP (docs/protocol.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestStrategy, type NatsConnection, type ServiceInfo } from "nats";
import YAML from "yaml";
import { endpointNames, pathWords, type EndpointClaim } from "@symphony-codegen/runtime/internal/sdk/names.js";
import { isJsonMediaType, problem, type FieldError, type RestRequest } from "@symphony-codegen/runtime/internal/serve/envelope.js";
import { readReply } from "@symphony-codegen/runtime/internal/client/client.js";
import { isIdempotent, requestWithRetry } from "@symphony-codegen/runtime/internal/core/retry.js";
import { BASE64, isTextMediaType } from "@symphony-codegen/runtime/internal/serve/media.js";
import type { Logger } from "@symphony-codegen/runtime/internal/core/log.js";
import { decodeOpenApiMetadata, OPENAPI_KEY, OPENAPI_SHA256_KEY } from "@symphony-codegen/runtime/internal/sdk/metadata.js";
import { objectLoader } from "@symphony-codegen/runtime/internal/serve/serve.js";
import { checkJsonText } from "@symphony-codegen/runtime/internal/serve/limits.js";
import {
  formatTraceparent,
  parentFromHeaders,
  RequestTrace,
  SpanKind,
  traceHeaders,
  type SpanExporter,
} from "@symphony-codegen/runtime/internal/core/trace-context.js";
import type { Span } from "@opentelemetry/api";
import { compareTemplates, compileTemplate, type CompiledTemplate } from "./routes.js";

/** How long a missed service's `$SRV.PING` may take: a busy one answers late or not at all, a stopped one gets "no responders" at once. */
const PING_TIMEOUT_MS = 500;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export interface Route {
  method: string;
  /** Path template from the spec, e.g. /pets/{id}. */
  template: string;
  subject: string;
  endpoint: string;
  /** The service serving it: `<prefix>/<service name>`. */
  service?: string;
  /** The operation is marked `x-symphony-idempotent: true` (its method alone decides otherwise). */
  idempotent?: boolean;
}

type CompiledRoute = Route & CompiledTemplate;

export interface DiscoveredService {
  name: string;
  version: string;
  description: string;
  prefix: string;
  /** Instances answering $SRV.INFO. */
  instances: number;
  /** Their NATS micro instance ids (`$SRV.INFO` `id`). */
  instanceIds: string[];
  endpoints: {
    name: string;
    subject: string;
    method?: string;
    path?: string;
  }[];
  spec?: Record<string, unknown>;
  /** The metadata the spec was read from (an unchanged spec is not fetched or parsed again). */
  specKey?: string;
  specError?: string;
  /** Discovery rounds in a row this service did not answer (it stays routed until `dropAfterMisses`). */
  missedRounds?: number;
}

export interface GatewayOptions {
  /** Per-request timeout (ms) before a 504. */
  timeoutMs?: number;
  /** How often to re-discover services (ms). */
  discoverIntervalMs?: number;
  /**
   * Rounds in a row a known service may miss before its routes are dropped (default 3): a busy
   * service answers $SRV.INFO late, not never. A service with no `$SRV.PING` responder left is dropped at once.
   */
  dropAfterMisses?: number;
  /** Where the gateway's request spans go (the trace view's store under `dev`). */
  spans?: SpanExporter;
  log: Logger;
  /**
   * What the platform registry knows of a prefix: "registered" (an entry is live), "gone"
   * (registered earlier) or undefined (never). Prefixes discovered earlier are known besides.
   */
  registered?: (prefix: string) => "registered" | "gone" | undefined;
  /** Called with each request's log record once its response is sent, and the problem+json body of a 4xx/5xx answer (the dev console). */
  onRequest?: (record: Record<string, unknown>, problem: unknown) => void;
}

type Obj = Record<string, unknown>;
/** What a request's log line says about where it went; `attempts` when it was sent more than once. */
type Served = { endpoint?: string; instance?: string; instances?: number; attempts?: number; traceId?: string };
/** The JSON body of each error response sent, for `onRequest` (the response is the key: no field added to it). */
const errorBodies = new WeakMap<ServerResponse, unknown>();
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function compile(route: Route): CompiledRoute {
  return { ...route, ...compileTemplate(route.template) };
}

/** The subject's prefix token: cirata.extensions.<prefix>.<endpoint>. */
function prefixOf(subject: string): string | undefined {
  const parts = subject.split(".");
  return parts.length >= 4 && parts[0] === "cirata" && parts[1] === "extensions" ? parts[2] : undefined;
}

function parseSpec(text: string): Record<string, unknown> {
  const trimmed = text.trimStart();
  const value = trimmed.startsWith("{") ? JSON.parse(text) : YAML.parse(text, { maxAliasCount: 10_000 });
  if (!isObj(value)) throw new Error("openapi metadata is not an object");
  return value;
}

/** Routes of one service: from endpoint metadata (method, path), else by matching endpoint names to the spec's operations. */
function routesOf(service: DiscoveredService): Route[] {
  const operations: { method: string; path: string; idempotent: boolean }[] = [];
  const claims: EndpointClaim[] = [];
  const paths = isObj(service.spec?.paths) ? (service.spec!.paths as Obj) : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const operationId = typeof op.operationId === "string" && op.operationId.trim() ? op.operationId : undefined;
      const chosen = typeof op["x-symphony-endpoint"] === "string" ? op["x-symphony-endpoint"] : operationId;
      claims.push({
        ...(chosen === undefined ? {} : { chosen }),
        derived: pathWords(method, path).join("_"),
        key: chosen ?? `${method.toUpperCase()} ${path}`,
      });
      operations.push({ method: method.toUpperCase(), path, idempotent: op["x-symphony-idempotent"] === true });
    }
  }
  // The generator's naming (runtime/sdk/names.ts): a service without route metadata is still matched.
  const byName = new Map(endpointNames(claims).names.map((name, i) => [name, operations[i]!]));
  const routes: Route[] = [];
  for (const e of service.endpoints) {
    const declared = byName.get(e.name);
    const target = e.method && e.path ? { method: e.method.toUpperCase(), path: e.path } : declared;
    // Only REST paths are routed (webhook endpoints carry a name, not a path).
    if (!target?.path.startsWith("/")) continue;
    const route: Route = { method: target.method, template: target.path, subject: e.subject, endpoint: e.name, service: `${service.prefix}/${service.name}` };
    if (declared?.idempotent) route.idempotent = true;
    routes.push(route);
  }
  return routes;
}

export class Gateway {
  #nc: NatsConnection;
  #options: Required<Omit<GatewayOptions, "registered" | "spans" | "onRequest">> & Pick<GatewayOptions, "registered" | "spans" | "onRequest">;
  /** Every prefix a discovery round has seen: one without services now is "not running", not unknown. */
  #seen = new Set<string>();
  #services = new Map<string, DiscoveredService>();
  #routes = new Map<string, CompiledRoute[]>();
  #timer?: NodeJS.Timeout;
  #discovering?: Promise<void>;
  /** When the latest discovery round started: a round that started before a request cannot know a service that appeared after. */
  #roundStarted = 0;
  #stopped = false;

  constructor(nc: NatsConnection, options: GatewayOptions) {
    this.#nc = nc;
    // `??`, not a spread: an option passed as undefined keeps its default.
    this.#options = {
      ...options,
      timeoutMs: options.timeoutMs ?? 10_000,
      discoverIntervalMs: options.discoverIntervalMs ?? 2_000,
      dropAfterMisses: options.dropAfterMisses ?? 3,
    };
  }

  services(): DiscoveredService[] {
    return [...this.#services.values()].sort((a, b) => (a.prefix + a.name).localeCompare(b.prefix + b.name));
  }

  start(): void {
    void this.discover();
    this.#timer = setInterval(() => void this.discover(), this.#options.discoverIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /**
   * Asks every service for its INFO; a service that stops answering disappears once it missed
   * `dropAfterMisses` rounds or has no instance left. Concurrent calls share one round.
   */
  discover(): Promise<void> {
    if (!this.#discovering) {
      this.#roundStarted = Date.now();
      this.#discovering = this.#discoverOnce().finally(() => (this.#discovering = undefined));
    }
    return this.#discovering;
  }

  async #discoverOnce(): Promise<void> {
    const found = new Map<string, DiscoveredService>();
    const infos: ServiceInfo[] = [];
    try {
      // Stop listening 100 ms after the last answer (at most 1 s): discovery stays fast with many services.
      const iter = await this.#nc.services
        .client({
          maxWait: 1000,
          strategy: RequestStrategy.JitterTimer,
          jitter: 100,
        })
        .info();
      for await (const info of iter) infos.push(info);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 503: no service at all; TIMEOUT: the round ended. Neither is a failure.
      if (code !== "503" && code !== "TIMEOUT" && !this.#stopped) this.#options.log.warn("discovery failed", { error: String(err) });
    }
    for (const info of infos) {
      const endpoints = (info.endpoints ?? []).map((e) => ({
        name: e.name,
        subject: e.subject,
        method: e.metadata?.method,
        path: e.metadata?.path,
      }));
      const prefix = endpoints.map((e) => prefixOf(e.subject)).find(Boolean);
      if (!prefix) continue;
      const key = `${prefix}/${info.name}`;
      const existing = found.get(key);
      if (existing) {
        existing.instances++;
        existing.instanceIds.push(info.id);
        continue;
      }
      this.#seen.add(prefix);
      const service: DiscoveredService = {
        name: info.name,
        version: info.version,
        description: info.description,
        prefix,
        instances: 1,
        instanceIds: [info.id],
        endpoints,
      };
      const cached = this.#services.get(key);
      const metadata = info.metadata ?? {};
      service.specKey = metadata[OPENAPI_SHA256_KEY] ?? metadata[OPENAPI_KEY] ?? "";
      if (cached && cached.specKey === service.specKey) {
        if (cached.spec) service.spec = cached.spec;
        if (cached.specError) service.specError = cached.specError;
      } else {
        try {
          const source = await decodeOpenApiMetadata(metadata, objectLoader(this.#nc));
          if (source === undefined) service.specError = "service has no openapi metadata";
          else service.spec = parseSpec(source);
        } catch (err) {
          service.specError = (err as Error).message;
        }
      }
      found.set(key, service);
    }
    if (this.#stopped) return; // a round cut short by the shutdown says nothing about services
    const appeared = [...found.keys()].filter((k) => !this.#services.has(k));
    const back = [...found.keys()].filter((k) => this.#services.get(k)?.missedRounds);
    const gone = await this.#keepMissed(found);
    if (this.#stopped) return;
    this.#services = found;
    const routes = new Map<string, CompiledRoute[]>();
    for (const service of found.values()) {
      const list = routes.get(service.prefix) ?? [];
      list.push(...routesOf(service).map(compile));
      routes.set(service.prefix, list);
    }
    // Most specific template first, whatever the declaration order (routes.ts).
    for (const list of routes.values()) list.sort(compareTemplates);
    this.#routes = routes;
    if (appeared.length) this.#options.log.info("services appeared", { services: appeared });
    if (back.length)
      this.#options.log.info("services answer discovery again", {
        services: back,
      });
    if (gone.length)
      this.#options.log.info("services gone", {
        services: gone.map((g) => g.key),
        reasons: Object.fromEntries(gone.map((g) => [g.key, g.reason])),
      });
  }

  /**
   * Known services this round did not find. An instance answering `$SRV.PING.<name>.<id>` is alive,
   * only too busy to answer INFO within the round's window: the service stays routed and the miss
   * does not count. One with no `$SRV.PING` responder at all is dropped at once (nothing is
   * subscribed: stopped, not busy); one whose instances stay silent is dropped after
   * `dropAfterMisses` rounds in a row. Returns the ones dropped.
   */
  async #keepMissed(found: Map<string, DiscoveredService>): Promise<{ key: string; reason: string }[]> {
    const missing = [...this.#services.entries()].filter(([k]) => !found.has(k));
    const limit = this.#options.dropAfterMisses;
    const verdicts = await Promise.all(
      missing.map(async ([key, service]) => {
        const ping = await this.#pingInstances(service);
        if (ping === "none")
          return {
            key,
            reason: "no instance subscribed ($SRV.PING has no responders)",
          };
        const missedRounds = ping === "answered" ? (service.missedRounds ?? 0) : (service.missedRounds ?? 0) + 1;
        if (missedRounds >= limit)
          return {
            key,
            reason: `missed ${missedRounds} discovery rounds in a row`,
          };
        found.set(key, { ...service, missedRounds });
        this.#options.log.warn("service missed a discovery round; still routed", { service: key, ping, missedRounds, dropAfter: limit });
        return undefined;
      }),
    );
    return verdicts.filter((v) => v !== undefined);
  }

  /**
   * What `$SRV.PING.<name>.<id>` says of a service's instances: "answered" when any answers, "none"
   * when every one gets "no responders" (nothing subscribed), else "silent" (busy or unreachable).
   */
  async #pingInstances(service: DiscoveredService): Promise<"answered" | "none" | "silent"> {
    const answers = await Promise.all(
      service.instanceIds.map((id) =>
        this.#nc
          .request(`$SRV.PING.${service.name}.${id}`, undefined, {
            timeout: PING_TIMEOUT_MS,
          })
          .then(
            () => "answered" as const,
            (err: { code?: string }) => (err.code === "503" ? ("none" as const) : ("silent" as const)),
          ),
      ),
    );
    if (answers.includes("answered")) return "answered";
    return answers.every((a) => a === "none") ? "none" : "silent";
  }

  /** The route for `method path`; else `allowed`: the methods the path has (a 405 when not empty). */
  #match(
    prefix: string,
    method: string,
    path: string,
  ): {
    route?: CompiledRoute;
    params: Record<string, string>;
    allowed: string[];
  } {
    const allowed = new Set<string>();
    for (const route of this.#routes.get(prefix) ?? []) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.add(route.method);
        continue;
      }
      const params: Record<string, string> = Object.create(null);
      route.names.forEach((name, i) => {
        const raw = m[i + 1]!;
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          params[name] = raw;
        }
      });
      return { route, params, allowed: [] };
    }
    return { params: {}, allowed: [...allowed].sort() };
  }

  /** The answer to a request no route serves: 405 (with Allow), 404 or 503, as problem+json. */
  #miss(res: ServerResponse, prefix: string, method: string, path: string, allowed: string[]): void {
    if (allowed.length > 0) {
      res.setHeader("allow", allowed.join(", "));
      return sendProblem(res, 405, `${method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`);
    }
    const running = new Set(this.services().map((s) => s.prefix));
    if (!prefix)
      return sendProblem(res, 404, `No extension prefix in the path: the gateway serves /api/<prefix>/<path> (running: ${[...running].join(", ") || "none"})`);
    if (running.has(prefix)) return sendProblem(res, 404, `No operation for ${method} ${path} in extension ${JSON.stringify(prefix)}`);
    const registry = this.#options.registered?.(prefix);
    if (registry === "registered")
      return sendProblem(res, 503, `extension ${JSON.stringify(prefix)} is registered but none of its services answers (no REST API yet?)`);
    if (registry === "gone" || this.#seen.has(prefix))
      return sendProblem(res, 503, `extension ${JSON.stringify(prefix)} is not running: no instance answers; start it again`);
    return sendProblem(res, 404, `no extension with prefix ${JSON.stringify(prefix)} (running: ${[...running].sort().join(", ") || "none"})`);
  }

  /**
   * Serves `<METHOD> /api/<prefix><path>`; `apiPath` is the URL after `/api`. Writes one log
   * record per request once the response is sent (or the client went away).
   */
  async handle(req: IncomingMessage, res: ServerResponse, apiPath: string): Promise<void> {
    // Appended, not resolved against a base (`//x` would be read as host `x`); only a path or query may follow the host.
    const url = /^[/?]|^$/.test(apiPath) && URL.canParse(`http://gateway${apiPath}`) ? new URL(`http://gateway${apiPath}`) : undefined;
    if (!url) return sendProblem(res, 400, `Request path ${JSON.stringify(apiPath.slice(0, 100))} is malformed`);
    const [, prefix = "", ...rest] = url.pathname.split("/");
    const path = "/" + rest.join("/");
    const method = (req.method ?? "GET").toUpperCase();
    const started = performance.now();
    // The gateway's span: continues the caller's W3C trace context, else starts a trace; the
    // extension's span is its child (the envelope carries this one's traceparent).
    const trace = new RequestTrace(`${method} /api/${prefix}`, SpanKind.Server, parentFromHeaders(traceHeadersOf(req)), {
      "http.request.method": method,
      "url.path": "/api" + url.pathname,
    });
    const served: Served = { traceId: trace.span.spanContext().traceId };
    res.setHeader("traceresponse", formatTraceparent(trace.span.spanContext()));
    res.once("close", () => {
      if (served.endpoint) trace.span.setAttribute("symphony.endpoint", served.endpoint);
      trace.finish(res.statusCode, this.#options.spans);
      const record = {
        method,
        // The query string is left out: it may carry credentials (api_key=...).
        path: "/api" + url.pathname,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        prefix,
        ...served,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      this.#options.log.info("gateway request", record);
      try {
        this.#options.onRequest?.(record, errorBodies.get(res));
      } catch (err) {
        // An event listener: a throw here would end the process.
        this.#options.log.error("request listener failed", { error: String(err) });
      }
    });
    await this.#handle(req, res, url, prefix, path, method, served, trace.span);
  }

  async #handle(req: IncomingMessage, res: ServerResponse, url: URL, prefix: string, path: string, method: string, served: Served, span: Span): Promise<void> {
    const arrived = Date.now();
    let found = this.#match(prefix, method, path);
    // A route we do not know may belong to a service that just started: wait for a discovery round
    // that began after this request arrived (concurrent misses share one round).
    if (!found.route) {
      await this.discover();
      found = this.#match(prefix, method, path);
    }
    if (!found.route && this.#roundStarted <= arrived) {
      await this.discover();
      found = this.#match(prefix, method, path);
    }
    if (!found.route) return this.#miss(res, prefix, method, path, found.allowed);
    served.endpoint = found.route.endpoint;
    span.updateName(`${method} /api/${prefix}${found.route.template}`);
    // The replying instance: NATS micro replies carry nothing that names it, and instances share a
    // queue group, so it is known only when discovery found exactly one instance of the service
    // (its $SRV.INFO id); otherwise the log gives how many could have answered.
    const service = found.route.service ? this.#services.get(found.route.service) : undefined;
    if (service?.instanceIds.length === 1) served.instance = service.instanceIds[0];
    else if (service) served.instances = service.instances;

    const maxPayload = this.#nc.info?.max_payload ?? 1024 * 1024;
    let raw: Buffer;
    try {
      raw = await readBody(req, maxPayload);
    } catch {
      return sendProblem(res, 413, `Request body exceeds the NATS payload limit of ${maxPayload} bytes`);
    }
    // Prototype-free maps: every name a client sends (`constructor`, `__proto__`, `toString`) is a plain key.
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    // Node leaves a header named `__proto__` out of req.headers; rawHeaders has it.
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!.toLowerCase();
      if (Object.hasOwn(req.headers, name)) continue;
      const value = req.rawHeaders[i + 1]!;
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    // The extension continues the gateway's span, not the caller's (tracestate passes through).
    delete headers.traceparent;
    delete headers.tracestate;
    Object.assign(headers, traceHeaders(span));
    const query: Record<string, string | string[]> = Object.create(null);
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const envelope: RestRequest = {
      method,
      url: path + url.search,
      path,
      headers,
      path_params: found.params,
      query_params: query,
    };
    if (raw.length > 0) {
      const contentType = headers["content-type"] ?? "application/json";
      if (!isTextMediaType(contentType)) {
        envelope.body = raw.toString("base64");
        envelope.body_encoding = BASE64;
      } else if (isJsonMediaType(contentType)) {
        // Before parsing: JSON.stringify of the envelope (and the extension's validation) recurse.
        const exceeded = checkJsonText(raw);
        if (exceeded)
          return sendProblem(res, exceeded.status, `JSON body ${exceeded.message}`, [{ in: "body", pointer: "", message: `JSON body ${exceeded.message}` }]);
        const text = raw.toString("utf8");
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          value = undefined; // the endpoint parses the bytes and answers 400 naming the error
        }
        // Sent as bytes where a parsed value would be misread: invalid JSON, and `""` and `null`, which in an envelope mean "no body".
        if (value === undefined || value === "" || value === null) {
          envelope.body = raw.toString("base64");
          envelope.body_encoding = BASE64;
        } else envelope.body = value;
      } else envelope.body = raw.toString("utf8");
    }
    const payload = Buffer.from(JSON.stringify(envelope));
    if (payload.length > maxPayload)
      return sendProblem(res, 413, `Request envelope of ${payload.length} bytes exceeds the NATS payload limit of ${maxPayload} bytes`);

    let reply: Uint8Array;
    try {
      // Idempotent requests survive a restarting NATS server or a dying instance (runtime/core/retry.ts);
      // retrying stops early once the registry says the extension stopped (a clean shutdown).
      const route = found.route;
      const msg = await requestWithRetry(this.#nc, route.subject, payload, {
        timeoutMs: this.#options.timeoutMs,
        idempotent: isIdempotent(method, route.idempotent),
        giveUp: () => this.#options.registered?.(prefix) === "gone",
        onAttempt: (attempt, reason) => {
          if (attempt === 1) return;
          served.attempts = attempt;
          this.#options.log.debug("gateway request sent again", { endpoint: route.endpoint, attempt, reason });
        },
      });
      reply = msg.data;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "503") {
        void this.discover();
        return sendProblem(res, 503, `extension ${JSON.stringify(prefix)} is not running: no instance answers ${found.route.endpoint}`);
      }
      if (code === "TIMEOUT")
        return sendProblem(res, 504, `Extension ${JSON.stringify(prefix)} did not answer ${found.route.endpoint} within ${this.#options.timeoutMs} ms`);
      return sendProblem(res, 502, `Request to ${found.route.endpoint} failed: ${(err as Error).message}`);
    }
    writeReply(res, reply);
  }
}

/** The W3C trace headers of an HTTP request (Node joins repeated ones with ", ": such a value is invalid, so ignored). */
function traceHeadersOf(req: IncomingMessage): Record<string, string> {
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const out: Record<string, string> = {};
  const parent = one(req.headers.traceparent);
  const state = one(req.headers.tracestate);
  if (parent) out.traceparent = parent;
  if (state) out.tracestate = state;
  return out;
}

/** Writes an endpoint's reply (wrapped or raw, docs/protocol.md) as the HTTP response. */
export function writeReply(res: ServerResponse, data: Uint8Array): void {
  const reply = readReply(data);
  const { status, contentType, body } = reply;
  let out: string | Uint8Array | undefined;
  if (body === null || body === undefined) out = status === 204 || status === 304 ? undefined : isJsonMediaType(contentType) ? "null" : "";
  else if (body instanceof Uint8Array) out = body;
  else if (typeof body === "string" && !isJsonMediaType(contentType)) out = body;
  else out = JSON.stringify(body);
  if (status >= 400 && isObj(body)) errorBodies.set(res, body);
  res.writeHead(status, {
    ...reply.headers,
    ...(out === undefined ? {} : { "content-type": contentType }),
  });
  res.end(out);
}

export function sendProblem(res: ServerResponse, status: number, detail: string, errors?: FieldError[]): void {
  const body = problem(status, detail, errors);
  errorBodies.set(res, body);
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("too large"));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
