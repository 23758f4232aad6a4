/**
 * `symphony-codegen dev`: a local stand-in for the platform, made of real parts:
 * a nats-server (child process) or a given NATS URL, the platform services on
 * NATS, the REST gateway and the web page over HTTP on loopback.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { InvalidConfiguration } from "@symphony-codegen/runtime/internal/core/errors.js";
import { createLogger, type Logger } from "@symphony-codegen/runtime/internal/core/log.js";
import { RECONNECT_FOREVER } from "@symphony-codegen/runtime/internal/core/retry.js";
import {
  PROVISION_PATH,
  TOKEN_EXCHANGE_PATH,
  type Capability,
  type EnforcementStatus,
  type ProvisionReply,
  type ProvisionRequest,
  type TokenExchangeReply,
  type TokenExchangeRequest,
} from "@symphony-codegen/runtime/internal/sdk/platform.js";
import { isValidPrefix } from "@symphony-codegen/runtime/internal/sdk/names.js";
import { decodeToken, encodeToken, type TokenClaims } from "@symphony-codegen/runtime/internal/sdk/token.js";
import { swaggerUiDir, SWAGGER_UI_FILES as ASSETS } from "./assets.js";
import { OperatorAuth } from "./auth.js";
import { Gateway, sendProblem } from "./gateway.js";
import { formatTraceTree, TraceStore } from "./traces.js";
import { traceHtml } from "./trace-page.js";
import { operationAnchor, RequestLog } from "./console.js";
import { allowedHosts, checkRequest } from "./guard.js";
import { startNatsServer, type NatsServer } from "./nats-server.js";
import { docsHtml, INDEX_HTML } from "./page.js";
import { clientPermissions, extensionPermissions, inboxPrefixFor, instancesBucket } from "./permissions.js";
import { PlatformServices } from "./platform.js";

export interface DevOptions {
  /** HTTP port (0 = any free port). */
  port?: number;
  host?: string;
  /** Use this NATS server instead of starting one. */
  natsUrl?: string;
  /** JetStream store for the started nats-server. */
  storeDir?: string;
  /** How often the gateway re-discovers services (default 2000 ms). */
  discoverIntervalMs?: number;
  /** How long a gateway request waits for the extension before a 504 (default 10 000 ms). */
  requestTimeoutMs?: number;
  replicas?: number;
  enforcement?: Record<string, EnforcementStatus>;
  log?: Logger;
  /**
   * "open" (default): nats-server without authentication; the exchange returns only servers.
   * "operator": nats-server in operator mode (JWT + NKey, dev/auth.ts); the
   * exchange issues each instance its own user JWT + seed. Needs the started nats-server
   * (not `natsUrl`).
   */
  auth?: "open" | "operator";
}

/** An API key (or registration token) the local platform issued. */
export interface DevApiKey {
  id: string;
  kind: "api" | "registration";
  /** For provisioned keys: the extension prefix and declared capabilities. */
  prefix?: string;
  capabilities: Capability[];
  revoked: boolean;
  /** Public keys of the NATS users issued for this key (operator mode). */
  users: string[];
}

export interface DevPlatform {
  httpUrl: string;
  natsUrl: string;
  /** A development token for this platform (its host is the HTTP address). */
  token: string;
  /** A registration token for one-time provisioning (REGISTRATION_TOKEN); reusable on the local platform. */
  registrationToken: string;
  auth: "open" | "operator";
  /** Operator-mode keys and account (undefined in open mode). */
  operator?: OperatorAuth;
  /** Every key issued so far (tokens themselves are not kept here). */
  apiKeys(): DevApiKey[];
  /**
   * Revokes an API key: the exchange refuses it from now on and, in operator mode,
   * every NATS user issued for it is revoked in the account JWT, pushed to the
   * server, which disconnects them.
   */
  revoke(token: string): Promise<void>;
  gateway: Gateway;
  platform: PlatformServices;
  /** Spans of requests through the gateway and the extensions they reached. */
  traces: TraceStore;
  /** The gateway's latest requests, as the web page's console shows them. */
  requests: RequestLog;
  nc: NatsConnection;
  /** The started nats-server's end (undefined with `natsUrl`): before `stop()`, a crash the CLI reports. */
  natsExited?: Promise<number | NodeJS.Signals | null>;
  stop(): Promise<void>;
}

/** The HTTP port is taken by another process (EADDRINUSE). */
export class PortInUse extends InvalidConfiguration {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is in use`);
  }
}

/** Binds `server`; the errors a user can act on get a sentence saying what is wrong. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new PortInUse(host, port));
      else if (err.code === "EACCES")
        reject(new InvalidConfiguration(`port ${port} on ${host} needs privileges to bind; use a port above 1023 (or 0 for any free port)`));
      else if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND" || err.code === "EAI_AGAIN")
        reject(new InvalidConfiguration(`cannot listen on ${host}: not an address of this machine (${err.code})`));
      else reject(err);
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** Waits for `promise` at most `ms`; true when it settled in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bounds of the shutdown steps: the whole of `stop()` stays under a second even when a step hangs. */
const CLOSE_HTTP_MS = 250;
const DRAIN_MS = 300;
/** How often the console stream sends instance states (and services, when changed). */
const STREAM_TICK_MS = 1000;
/** Unsent console events one page may hold before its stream is cut. */
const STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

const positive = (name: string, value: number | undefined): number | undefined => {
  if (value !== undefined && !(Number.isFinite(value) && value > 0))
    throw new InvalidConfiguration(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
};

export async function startDev(options: DevOptions = {}): Promise<DevPlatform> {
  const log = options.log ?? createLogger({ component: "symphony-dev" });
  const authMode = options.auth ?? "open";
  if (authMode !== "open" && authMode !== "operator") throw new InvalidConfiguration(`auth must be "open" or "operator", got ${JSON.stringify(authMode)}`);
  if (authMode === "operator" && options.natsUrl)
    throw new InvalidConfiguration('auth: "operator" configures the nats-server it starts; it cannot be combined with natsUrl');
  // Unset options keep the gateway's defaults (10 s per request, discovery every 2 s).
  const timeoutMs = positive("requestTimeoutMs", options.requestTimeoutMs);
  const discoverIntervalMs = positive("discoverIntervalMs", options.discoverIntervalMs);
  const host = options.host ?? "127.0.0.1";

  // The HTTP port first: when it is taken, nothing else has been started.
  let handler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server: Server = createServer((req, res) => {
    if (!handler) return sendProblem(res, 503, "The local platform is still starting");
    handler(req, res).catch((err: unknown) => {
      log.error("request failed", { url: req.url, error: String(err) });
      if (!res.headersSent) sendProblem(res, 500, "The local platform failed to handle the request");
      else res.end();
    });
  });
  await listen(server, options.port ?? 8080, host);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 8080);
  const closeHttp = async () => {
    server.closeAllConnections();
    await within(new Promise<void>((r) => server.close(() => r())), CLOSE_HTTP_MS);
  };

  let natsServer: NatsServer | undefined;
  let operator: OperatorAuth | undefined;
  let natsUrl: string;
  let nc: NatsConnection;
  try {
    operator = authMode === "operator" ? await OperatorAuth.create() : undefined;
    if (options.natsUrl) natsUrl = options.natsUrl;
    else {
      natsServer = await startNatsServer({ storeDir: options.storeDir, config: operator?.serverConfig() });
      natsUrl = natsServer.url;
      log.info("nats-server started", { url: natsServer.url, pid: natsServer.pid, store: natsServer.storeDir });
    }
    const platformUser = operator ? await operator.issueUser("symphony-dev-platform") : undefined;
    // Reconnect forever: the gateway and registry outlive a restarting nats-server (`--nats`).
    nc = await connect({ servers: natsUrl, name: "symphony-dev", ...RECONNECT_FOREVER, ...(platformUser ? OperatorAuth.connectOptions(platformUser) : {}) });
  } catch (err) {
    await closeHttp();
    await natsServer?.stop();
    throw err;
  }
  const platform = new PlatformServices(nc, { replicas: options.replicas, log, enforcement: options.enforcement, isolated: operator !== undefined });
  platform.start();
  // Spans from the gateway and from extensions (under dev they publish theirs), shown as trees.
  const traces = new TraceStore();
  traces.listen(nc);
  const requests = new RequestLog();
  const gateway = new Gateway(nc, {
    onRequest: (record, problem) => requests.add(record, problem),
    log,
    spans: { service: "gateway", export: (span) => traces.add(span) },
    timeoutMs,
    discoverIntervalMs,
    // A prefix the registry knows (registered now or earlier) but no service answers for gets a 503, not a 404.
    registered: (prefix) => platform.registration(prefix),
  });
  gateway.start();

  const assetsDir = swaggerUiDir();
  /** Keys by secret. */
  const keys = new Map<string, DevApiKey>();
  let tokenHost = "";
  let instance = 0;
  const mint = (key: Omit<DevApiKey, "revoked" | "users">): string => {
    const secret = randomBytes(18).toString("base64url");
    keys.set(secret, { ...key, revoked: false, users: [] });
    return encodeToken({ host: tokenHost, id: key.id, secret, scheme: "http" });
  };
  /** The key a Bearer token names, when it is known, of the wanted kind and not revoked. */
  const bearerKey = (req: IncomingMessage, kind: DevApiKey["kind"]): DevApiKey | undefined => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    let claims: TokenClaims | undefined;
    try {
      claims = bearer ? decodeToken(bearer) : undefined;
    } catch {
      return undefined;
    }
    const key = claims ? keys.get(claims.secret) : undefined;
    return key && key.kind === kind && !key.revoked ? key : undefined;
  };

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  handler = route;

  const hosts = allowedHosts(host);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, refusal } = checkRequest(req, hosts);
    if (refusal) {
      req.resume();
      // One line per refusal: a DNS-rebinding or cross-site page shows up in the log by its Host or Origin.
      log.info("request refused", {
        method: req.method,
        status: refusal.status,
        reason: refusal.reason,
        ...(refusal.value === undefined ? {} : { value: refusal.value }),
      });
      // A malformed target is the one field of a request the gateway could not turn into an envelope: its `url`.
      const errors = refusal.reason === "target" ? [{ in: "envelope" as const, pointer: "/url", message: refusal.detail }] : undefined;
      return sendProblem(res, refusal.status, refusal.detail, errors);
    }
    const p = url.pathname;
    if (p === "/api" || p.startsWith("/api/")) {
      if (p === TOKEN_EXCHANGE_PATH && req.method === "POST") return exchange(req, res);
      if (p === PROVISION_PATH && req.method === "POST") return provision(req, res);
      return gateway.handle(req, res, p.slice("/api".length) + url.search);
    }
    if (req.method !== "GET") return sendProblem(res, 405, `${req.method} is not allowed on ${p}`);
    if (p === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return void res.end(INDEX_HTML);
    }
    if (p === "/_symphony/extensions") {
      await gateway.discover();
      return json(res, 200, { extensions: platform.extensions(), instances: platform.instances(), services: servicesView() });
    }
    if (p === "/_symphony/requests") return json(res, 200, { requests: requests.requests(), problems: requests.problems() });
    if (p === "/_symphony/requests/stream") return stream(req, res);
    const docs = /^\/_symphony\/(docs|openapi)\/([^/]+)\/([^/]+?)(\.json)?$/.exec(p);
    if (docs) {
      const [, kind, prefix, name] = docs.map((s) => (s ? decodeURIComponent(s) : s)) as string[];
      const service = gateway.services().find((s) => s.prefix === prefix && s.name === name);
      if (!service?.spec) return sendProblem(res, 404, `No spec for service ${name} of extension ${prefix}`);
      if (kind === "docs") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return void res.end(docsHtml(`/_symphony/openapi/${encodeURIComponent(prefix!)}/${encodeURIComponent(name!)}.json`, name!));
      }
      // "Try it" calls go through the gateway.
      return json(res, 200, { ...service.spec, servers: [{ url: `/api/${prefix}` }] });
    }
    if (p === "/_symphony/traces") return json(res, 200, { traces: traces.list() });
    const traceId = /^\/_symphony\/traces\/([0-9a-f]{32})(\.txt|\.html)?$/.exec(p);
    if (traceId) {
      const trace = traces.get(traceId[1]!);
      if (!trace) return sendProblem(res, 404, `No trace ${traceId[1]} (the newest ${traces.maxTraces} are kept)`);
      if (!traceId[2]) return json(res, 200, trace);
      const html = traceId[2] === ".html";
      res.writeHead(200, { "content-type": html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8" });
      return void res.end(html ? traceHtml(trace.summary, trace.roots) : formatTraceTree(trace.roots) + "\n");
    }
    const asset = /^\/_symphony\/assets\/([\w.-]+)$/.exec(p)?.[1];
    if (asset && ASSETS.has(asset)) {
      res.writeHead(200, { "content-type": ASSETS.get(asset)!, "cache-control": "max-age=3600" });
      return void createReadStream(path.join(assetsDir, asset)).pipe(res);
    }
    return sendProblem(res, 404, `Nothing at ${p}`);
  }

  /** The discovered services without their specs, each endpoint with its Swagger UI deep link (`#/<tag>/<operation>`) when the spec has it. */
  function servicesView() {
    return gateway.services().map(({ spec, specKey: _key, ...s }) => ({
      ...s,
      endpoints: s.endpoints.map((e) => ({ ...e, anchor: operationAnchor(spec, e.method, e.path) })),
    }));
  }

  /**
   * Server-Sent Events for the console: `backlog` (requests, problems, instances, services) at once,
   * then `request` per gateway request, `instances` every second (heartbeat ages move on their own)
   * and `services` when discovery changed them.
   */
  function stream(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    const send = (event: string, data: unknown) => {
      // A page that stopped reading is cut off, not buffered for without bound; its EventSource reconnects and gets the backlog.
      if (res.writableLength > STREAM_BUFFER_BYTES) return void res.destroy();
      res.write(`event: ${event}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    };
    let services = JSON.stringify(servicesView());
    send("backlog", { requests: requests.requests(), problems: requests.problems(), instances: platform.instances(), services: JSON.parse(services) });
    const unsubscribe = requests.subscribe((entry) => send("request", entry));
    const timer = setInterval(() => {
      send("instances", platform.instances());
      const now = JSON.stringify(servicesView());
      if (now !== services) send("services", (services = now));
    }, STREAM_TICK_MS);
    res.once("close", () => {
      unsubscribe();
      clearInterval(timer);
    });
  }

  /** A request's JSON body (at most `limit` bytes); a problem+json answer has been sent when it is undefined. */
  async function readJson<T>(req: IncomingMessage, res: ServerResponse, limit: number, what: string): Promise<Partial<T> | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return void sendProblem(res, 413, `${what} larger than ${limit} bytes`);
      chunks.push(chunk);
    }
    try {
      const value = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as unknown;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Partial<T>;
    } catch {
      // answered below
    }
    return void sendProblem(res, 400, `${what} must be a JSON object`);
  }

  /** Declared capabilities from a request body, or a sentence saying what is wrong with them. */
  const capabilitiesOf = (value: unknown): Capability[] | string => {
    const list = value === undefined ? [] : value;
    if (
      !Array.isArray(list) ||
      !list.every((c: Partial<Capability>) => (c?.type === "pub" || c?.type === "sub") && typeof c.subject === "string" && c.subject !== "")
    ) {
      return "capabilities must be [{type: pub|sub, subject, description}]";
    }
    return list.map((c: Capability) => ({ type: c.type, subject: c.subject, description: String(c.description ?? "") }));
  };

  async function exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson<TokenExchangeRequest>(req, res, 64 * 1024, "Token exchange body");
    if (!body) return;
    const key = bearerKey(req, "api");
    if (!key) return sendProblem(res, 401, "Unknown, malformed or revoked token");
    // A provisioned key is bound to its prefix; the development token serves whichever extension asks.
    const prefix = key.prefix ?? body.prefix;
    // Open mode has no NATS users to bind, so it keeps accepting any prefix.
    if (operator && key.prefix && body.prefix !== undefined && body.prefix !== key.prefix) {
      log.info("token exchange refused", { key: key.id, reason: "prefix", prefix: body.prefix });
      return sendProblem(res, 403, `This API key was issued for extension ${key.prefix}, not ${String(body.prefix)}`);
    }
    if (prefix !== undefined && (typeof prefix !== "string" || !isValidPrefix(prefix))) return sendProblem(res, 400, "prefix must be an extension prefix");
    const buckets = body.buckets ?? [];
    if (!Array.isArray(buckets) || !buckets.every((b) => typeof b === "string" && /^[A-Za-z0-9_-]+$/.test(b)))
      return sendProblem(res, 400, "buckets must be a list of bucket names");
    // A key with capabilities of its own keeps them; the development token takes the declared ones.
    const capabilities = key.prefix ? key.capabilities : capabilitiesOf(body.capabilities);
    if (typeof capabilities === "string") return sendProblem(res, 400, capabilities);
    instance += 1;
    const reply: TokenExchangeReply = { servers: [natsUrl], identifier: `${key.id}-${instance}` };
    if (operator) {
      reply.inboxPrefix = inboxPrefixFor(reply.identifier);
      let permissions;
      if (prefix) {
        const owned = [...buckets, instancesBucket(prefix)];
        const taken = platform.claimBuckets(prefix, owned);
        if (taken) {
          log.info("token exchange refused", { key: key.id, reason: "bucket", prefix, detail: taken });
          return sendProblem(res, 403, `Extension ${prefix} cannot use ${taken}`);
        }
        permissions = extensionPermissions({ prefix, inboxPrefix: reply.inboxPrefix, buckets: owned, capabilities });
        reply.scopedSubjects = true;
      } else permissions = clientPermissions(reply.inboxPrefix);
      // Each instance gets its own NATS user, so one can be revoked without the others.
      const user = await operator.issueUser(reply.identifier, permissions);
      key.users.push(user.publicKey);
      reply.jwt = user.jwt;
      reply.seed = user.seed;
    }
    return json(res, 200, reply);
  }

  async function provision(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson<ProvisionRequest>(req, res, 1024 * 1024, "Provisioning body");
    if (!body) return;
    if (!bearerKey(req, "registration")) return sendProblem(res, 401, "Unknown, malformed or revoked registration token");
    const prefix = body.prefix;
    if (typeof prefix !== "string" || !isValidPrefix(prefix)) return sendProblem(res, 400, "prefix must be an extension prefix");
    const capabilities = capabilitiesOf(body.capabilities ?? []);
    if (typeof capabilities === "string") return sendProblem(res, 400, capabilities);
    const token = mint({ id: prefix, kind: "api", prefix, capabilities });
    log.info("API key provisioned", { prefix, capabilities: capabilities.length });
    const reply: ProvisionReply = { token };
    return json(res, 200, reply);
  }

  tokenHost = `${host}:${port}`;
  const token = mint({ id: "dev", kind: "api", capabilities: [] });
  const registrationToken = mint({ id: "registration", kind: "registration", capabilities: [] });

  let stopping: Promise<void> | undefined;
  return {
    httpUrl: `http://${tokenHost}`,
    natsUrl,
    token,
    registrationToken,
    auth: authMode,
    operator,
    gateway,
    platform,
    traces,
    requests,
    nc,
    natsExited: natsServer?.exited,
    apiKeys: () => [...keys.values()].map((k) => ({ ...k, capabilities: [...k.capabilities], users: [...k.users] })),
    async revoke(revoked: string) {
      const key = keys.get(decodeToken(revoked).secret);
      if (!key) throw new InvalidConfiguration("That token was not issued by this platform");
      key.revoked = true;
      log.info("API key revoked", { id: key.id });
      if (operator) await operator.revoke(key.users, natsUrl);
    },
    stop: () =>
      (stopping ??= (async () => {
        gateway.stop();
        platform.stop();
        traces.stop();
        await closeHttp();
        // Bounded: a drain waits for the server, which may already be gone.
        if (!(await within(nc.drain(), DRAIN_MS))) await within(nc.close(), DRAIN_MS);
        await natsServer?.stop();
      })()),
  };
}
