/**
 * The Extension builder and lifecycle (reference SDK: Extension, run, run_with_setup, add_endpoints).
 * Until the platform connection path exists, an extension connects to a NATS URL
 * given by `withNatsUrl()` or `NATS_URL` (the development path, see docs/protocol.md).
 */
import { connect, jwtAuthenticator, type ConnectionOptions, type NatsConnection, type Service, type JetStreamClient } from "nats";
import {
  ConnectionFailed,
  InvalidConfiguration,
  natsConnectError,
  Other,
  PlatformUnavailable,
  RegistrationFailed,
  SpecTooLarge,
  SymphonyError,
  Timeout as SymphonyTimeout,
} from "../core/errors.js";
import { resolveToken } from "./credentials.js";
import { createLogger, type Logger } from "../core/log.js";
import { isSemver, isValidPrefix, serviceName } from "./names.js";
import { platformSubjects, type EnforcementStatus, type PlatformSubjects, type RegistrationEntry, type Resource, type StatusMessage } from "./platform.js";
import { exchangeToken } from "./token.js";
import { WorkPartitioner, type PartitionerOptions } from "./partitioner.js";
import { RECONNECT_FOREVER } from "../core/retry.js";
import type { Msg, Subscription } from "nats";

/** MIME types of UI resources (reference SDK `MimeType`); see docs/sdk.md. */
export const MimeType = {
  TextSlashSymphonyJsx: "text/symphony-jsx",
  TextSlashSymphonyModule: "text/symphony-module",
  TextSlashHtmlPlusSymphony: "text/html+symphony",
  TextSlashMarkdown: "text/markdown",
  TextSlashHtmlSemicolonProfileEqualMcpApp: "text/html;profile=mcp-app",
  /** HTMX resources: a JSON config; the platform provides the HTMX shell. */
  ApplicationSlashSymphonyHtmxPlusJson: "application/vnd.symphony.htmx+json",
} as const;
export type MimeType = (typeof MimeType)[keyof typeof MimeType];

/** Runs after connecting, before serving; its result is ignored (so `async (e) => register(e, h)` fits). */
export type SetupFn = (ext: Extension) => unknown;

export class Extension {
  readonly name: string;
  readonly prefix: string;
  description = "";
  #log: Logger;
  #token?: string;
  #natsUrl?: string;
  #connectOptions: Partial<ConnectionOptions> = {};
  #nc?: NatsConnection;
  #services: Service[] = [];
  #inFlight = new Set<Promise<unknown>>();
  #stopRequested?: () => void;
  #stopping?: Promise<void>;
  #shutdownHooks: (() => unknown)[] = [];
  #ready = settleable();
  #identifier?: string;
  #statusIntervalMs = 30_000;
  #shutdownTimeoutMs = 10_000;
  #statusTimer?: NodeJS.Timeout;
  #registered = false;
  /** Platform subjects: per-prefix when the exchange asked for it (an isolating platform), else the shared ones. */
  #subjects: PlatformSubjects;
  readonly #declared: Omit<RegistrationEntry, "id" | "name" | "prefix" | "description" | "statusInterval"> = {
    capabilities: [],
    resources: [],
    routes: [],
    menus: [],
    widgets: [],
    buckets: [],
  };

  constructor(name: string, prefix: string) {
    if (!name) throw new InvalidConfiguration("Extension name is required");
    if (!isValidPrefix(prefix)) {
      throw new InvalidConfiguration(`Extension prefix ${JSON.stringify(prefix)} must be one NATS subject token: letters, digits, "_" or "-"`);
    }
    this.name = name;
    this.prefix = prefix;
    this.#subjects = platformSubjects(prefix, false);
    this.#log = createLogger({ extension: prefix });
  }

  /** Structured logger used by the extension and handed to handlers (`ctx.log`). */
  get log(): Logger {
    return this.#log;
  }

  /** Replaces the logger (e.g. `Observability.logCapture()`, which also keeps records for the logs endpoint). */
  withLogger(logger: Logger): this {
    this.#log = logger;
    return this;
  }

  /** Runs during shutdown, after the services stop receiving and before the connection drains (e.g. flush a usage batch). */
  onShutdown(hook: () => unknown): this {
    this.#shutdownHooks.push(hook);
    return this;
  }

  withDescription(description: string): this {
    this.description = description;
    return this;
  }

  /**
   * API token (normally from SYMPHONY_TOKEN); empty means "not given", so the
   * credential store and REGISTRATION_TOKEN are tried (docs/sdk-auth.md). Never logged.
   */
  withToken(token: string): this {
    this.#token = token;
    return this;
  }

  /** Connect straight to a NATS server (development path); overrides NATS_URL. */
  withNatsUrl(url: string, options: Partial<ConnectionOptions> = {}): this {
    this.#natsUrl = url;
    this.#connectOptions = options;
    return this;
  }

  /**
   * How long shutdown may take (default 10 s): services stop, in-flight requests finish, hooks
   * run and the connection drains within it; then the connection is closed regardless, so a
   * SIGTERM ends the process in bounded time even while NATS is unreachable.
   */
  withShutdownTimeout(ms: number): this {
    if (!(ms > 0)) throw new InvalidConfiguration(`Shutdown timeout must be a positive number of milliseconds, got ${ms}`);
    this.#shutdownTimeoutMs = ms;
    return this;
  }

  /** Declares a NATS subject the extension publishes to ("pub") or subscribes to ("sub"). */
  addCapability(type: "pub" | "sub", subject: string, description: string): this {
    if (type !== "pub" && type !== "sub") throw new InvalidConfiguration(`Capability type must be "pub" or "sub", got ${JSON.stringify(type)}`);
    this.#declared.capabilities.push({ type, subject, description });
    return this;
  }

  addResource(uri: string, mimeType: MimeType | string, content: string): this {
    return this.addResourceFull(uri, mimeType, content);
  }

  /** A resource with a display name, description and metadata (e.g. CSP). */
  addResourceFull(uri: string, mimeType: MimeType | string, content: string, name?: string, description?: string, meta?: Record<string, unknown>): this {
    const resource: Resource = { uri, mimeType, content };
    if (name !== undefined) resource.name = name;
    if (description !== undefined) resource.description = description;
    if (meta !== undefined) resource.meta = meta;
    const list = this.#declared.resources;
    const i = list.findIndex((r) => r.uri === uri);
    if (i >= 0) list[i] = resource;
    else list.push(resource);
    return this;
  }

  /** An HTMX page: the platform provides the shell (HTMX, auth, theme); `path` is the page's path on the extension. */
  addHtmxResource(uri: string, path: string): this {
    return this.addResource(uri, MimeType.ApplicationSlashSymphonyHtmxPlusJson, JSON.stringify({ path }));
  }

  /**
   * Replaces a resource's content and re-registers at once, so the UI picks it up. Once connected, rejects
   * when the re-registration did not happen: `PlatformUnavailable`, `Timeout` or `RegistrationFailed`.
   */
  async updateResource(uri: string, mimeType: MimeType | string, content: string): Promise<void> {
    const existing = this.#declared.resources.find((r) => r.uri === uri);
    this.addResourceFull(uri, mimeType, content, existing?.name, existing?.description, existing?.meta);
    if (this.#nc) await this.#sendRegistration(this.#nc);
  }

  addRoute(path: string, resource: string): this {
    this.#declared.routes.push({ path, resource });
    return this;
  }

  addMenu(group: string, item: string, route: string, icon: string): this {
    this.#declared.menus.push({ group, item, route, icon });
    return this;
  }

  addMenuWithLink(group: string, item: string, route: string, icon: string, link?: string): this {
    this.#declared.menus.push({
      group,
      item,
      route,
      icon,
      ...(link ? { link } : {}),
    });
    return this;
  }

  addWidget(name: string, resource: string): this {
    return this.addWidgetWithNotes(name, resource);
  }

  addWidgetWithNotes(name: string, resource: string, notes?: string): this {
    this.#declared.widgets.push({
      name,
      resource,
      ...(notes ? { notes } : {}),
    });
    return this;
  }

  /** A KV bucket the platform creates (or updates) at registration, with the cluster's replica count. ttl in seconds, 0 = no expiry. */
  addBucket(name: string, description: string, ttl: number): this {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new InvalidConfiguration(`Bucket name ${JSON.stringify(name)} may only contain letters, digits, "_" and "-"`);
    if (!(ttl >= 0)) throw new InvalidConfiguration("Bucket ttl must be 0 or a positive number of seconds");
    this.#declared.buckets.push({ name, description, ttl });
    return this;
  }

  /**
   * Reports licensed usage; keys must match the license's dimension names. Rejects with
   * `PlatformUnavailable` when no platform answers, `Timeout` when it answers too late.
   */
  async reportUsage(dimensions: Record<string, number>, traceContext?: string): Promise<{ ok: boolean; totals?: Record<string, number>; error?: string }> {
    const nc = this.#requireConnection();
    const payload = { prefix: this.prefix, id: this.identifier(), dimensions, ...(traceContext ? { trace_context: traceContext } : {}) };
    return this.#ask(nc, this.#subjects.usageReport, payload);
  }

  /** The license enforcement state, or undefined when no platform answers. */
  async getEnforcementState(): Promise<EnforcementStatus | undefined> {
    const nc = this.#requireConnection();
    try {
      const reply = await this.#ask<{ status?: EnforcementStatus }>(nc, this.#subjects.enforcement, { prefix: this.prefix });
      return reply.status;
    } catch (err) {
      if (err instanceof SymphonyTimeout || err instanceof PlatformUnavailable) return undefined;
      throw err;
    }
  }

  /** Messages addressed to this instance: `cirata.extensions.<prefix>.instance.<id>.>`. */
  subscribeInstance(handler: (msg: Msg) => void | Promise<void>): Subscription {
    const nc = this.#requireConnection();
    return nc.subscribe(`cirata.extensions.${this.prefix}.instance.${this.identifier()}.>`, {
      callback: (_err, msg) =>
        void this.track(Promise.resolve().then(() => handler(msg))).catch((e: unknown) => this.log.error("instance message failed", { error: String(e) })),
    });
  }

  /** The command channel, queue-subscribed: each command reaches exactly one instance. */
  subscribeCommands(handler: (msg: Msg) => void | Promise<void>): Subscription {
    const nc = this.#requireConnection();
    return nc.subscribe(`cirata.extensions.${this.prefix}.commands`, {
      queue: `${this.prefix}.commands`,
      callback: (_err, msg) =>
        void this.track(Promise.resolve().then(() => handler(msg))).catch((e: unknown) => this.log.error("command failed", { error: String(e) })),
    });
  }

  /** A WorkPartitioner for this instance; call `start(await ext.jetstream())`. */
  enableWorkPartitioning(onChange?: () => void, options?: PartitionerOptions): WorkPartitioner {
    const id = this.identifier();
    if (!id) throw new ConnectionFailed("Connect before enabling work partitioning: the instance id comes from the connection");
    return new WorkPartitioner(id, this.prefix, onChange, {
      log: this.log,
      ...options,
    });
  }

  /** A platform request; every failure is a `SymphonyError` (no raw NatsError reaches the caller). */
  async #ask<T = { ok: boolean }>(nc: NatsConnection, subject: string, payload: unknown): Promise<T> {
    try {
      const reply = await nc.request(subject, JSON.stringify(payload), {
        timeout: 5_000,
      });
      return JSON.parse(new TextDecoder().decode(reply.data)) as T;
    } catch (err) {
      if (err instanceof SymphonyError) throw err;
      const code = (err as { code?: string }).code;
      if (code === "503")
        throw new PlatformUnavailable(`No Symphony platform answers ${subject} (plain NATS, or the platform is not running)`, subject, { cause: err });
      if (code === "TIMEOUT")
        throw new SymphonyTimeout(`${subject} did not answer within 5 s`, {
          cause: err,
        });
      if (code === "CONNECTION_CLOSED" || code === "CONNECTION_DRAINING")
        throw new ConnectionFailed(`Cannot ask ${subject}: the NATS connection is closed`, { cause: err });
      throw new Other(`${subject} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** How often the running extension publishes its status (default 30 s; shorter in tests). */
  withStatusInterval(ms: number): this {
    if (!(ms > 0)) throw new InvalidConfiguration("Status interval must be a positive number of milliseconds");
    this.#statusIntervalMs = ms;
    return this;
  }

  /** The NATS connection, once connected. */
  conn(): NatsConnection | undefined {
    return this.#nc;
  }

  async jetstream(): Promise<JetStreamClient> {
    return this.#requireConnection().jetstream();
  }

  /** Instance identifier: from the token exchange, else derived from the NATS client id. */
  identifier(): string | undefined {
    const nc = this.#nc;
    if (this.#identifier) return this.#identifier;
    return nc ? `${this.prefix}-${nc.info?.client_id ?? "0"}` : undefined;
  }

  /**
   * Connects: straight to `withNatsUrl()`/`NATS_URL` (development path), else with
   * the API token found by runtime/sdk/credentials.ts (withToken/SYMPHONY_TOKEN, the
   * stored token, REGISTRATION_TOKEN provisioning) exchanged for NATS credentials.
   */
  async connect(): Promise<NatsConnection> {
    if (this.#nc) return this.#nc;
    // An explicit token wins over the development path's NATS_URL (a host may have both set).
    const envUrl = process.env.NATS_URL || undefined;
    if (envUrl && this.#token && !this.#natsUrl) this.log.warn("NATS_URL is ignored: a token was given (withToken), which connects through the platform");
    const url = this.#natsUrl ?? (this.#token ? undefined : envUrl);
    // Reconnect forever, with jitter: an outage of any length ends in serving again, not in exit 0.
    const options: ConnectionOptions = {
      name: `${this.prefix} (${this.name})`,
      ...RECONNECT_FOREVER,
      ...this.#connectOptions,
    };
    // NATS_URL may list a cluster's servers, comma-separated (nats.js takes a string as one URL).
    if (url) options.servers = url.includes(",") ? url.split(",").map((u) => u.trim()).filter(Boolean) : url;
    else {
      const { token } = await resolveToken({ explicit: this.#token, prefix: this.prefix, capabilities: this.#declared.capabilities, log: this.log });
      // Buckets and capabilities declared so far: an isolating platform grants exactly these (declare them before run()).
      const declared = { prefix: this.prefix, buckets: this.#declared.buckets.map((b) => b.name), capabilities: this.#declared.capabilities };
      const credentials = await exchangeToken(token, this.log, fetch, declared);
      options.servers = credentials.servers;
      if (credentials.jwt && credentials.seed) options.authenticator = jwtAuthenticator(credentials.jwt, new TextEncoder().encode(credentials.seed));
      if (credentials.inboxPrefix) options.inboxPrefix = credentials.inboxPrefix;
      this.#subjects = platformSubjects(this.prefix, credentials.scopedSubjects === true);
      this.#identifier = credentials.identifier;
    }
    try {
      this.#nc = await connect(options);
    } catch (err) {
      throw natsConnectError(err, options.servers);
    }
    this.log.info("connected", { server: this.#nc.getServer() });
    this.#watchConnection(this.#nc).catch((err: unknown) => this.log.debug("connection watcher stopped", { reason: String(err) }));
    return this.#nc;
  }

  /** After a NATS outage the platform may have dropped the entry: register again once reconnected. */
  async #watchConnection(nc: NatsConnection): Promise<void> {
    let attempts = 0;
    let since = 0;
    for await (const s of nc.status()) {
      if (this.#stopping) continue;
      if (s.type === "disconnect") {
        since = Date.now();
        attempts = 0;
        this.log.warn("disconnected from NATS; reconnecting", {
          server: s.data,
        });
      } else if (s.type === "reconnecting") {
        attempts += 1;
        // 1, 2, 4, 8, … then every 32nd: visible at first, not a line every 2 s for hours.
        if ((attempts & (attempts - 1)) === 0 || attempts % 32 === 0) this.log.warn("still reconnecting to NATS", { attempts, downMs: Date.now() - since });
      } else if (s.type === "error" && /AUTH|user authentication/i.test(String(s.data)))
        this.log.error("NATS refused the credentials", { reason: String(s.data) });
      else if (s.type === "reconnect") {
        this.log.info("reconnected to NATS", {
          server: s.data,
          attempts,
          downMs: Date.now() - since,
        });
        if (!this.#registered) continue;
        for (let attempt = 1; attempt <= 5 && !this.#stopping && !nc.isClosed(); attempt++) {
          if (await this.register()) break;
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    }
  }

  /** The registration entry this instance announces. */
  registration(): RegistrationEntry {
    return {
      id: this.identifier() ?? this.prefix,
      name: this.name,
      prefix: this.prefix,
      description: this.description,
      statusInterval: this.#statusIntervalMs / 1000,
      ...structuredClone(this.#declared),
    };
  }

  /** Sends the registration entry; without a platform (plain NATS) the extension still serves. False when it failed (logged). */
  async register(): Promise<boolean> {
    const nc = this.#requireConnection();
    try {
      await this.#sendRegistration(nc);
      return true;
    } catch (err) {
      if (err instanceof PlatformUnavailable) this.log.warn("no Symphony registry is answering; serving without registration");
      else
        this.log.error("registration failed", {
          error: (err as Error).message,
          code: (err as SymphonyError).code,
        });
      return false;
    }
  }

  async #sendRegistration(nc: NatsConnection): Promise<void> {
    const answer = await this.#ask<{ ok?: boolean; error?: string }>(nc, this.#subjects.register, this.registration());
    if (!answer.ok) throw new RegistrationFailed(`The platform refused the registration: ${answer.error ?? "no reason given"}`);
    this.#registered = true;
    this.log.info("registered", { id: this.identifier() });
  }

  #publishStatus(status: StatusMessage["status"]): void {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    const message: StatusMessage = { id: this.identifier() ?? this.prefix, prefix: this.prefix, status, timestamp: new Date().toISOString() };
    nc.publish(this.#subjects.status, JSON.stringify(message));
  }

  /**
   * Adds a NATS micro service. Metadata values must fit, with the rest of the
   * service description, in the server's max_payload, or `$SRV.INFO` cannot answer.
   */
  async addEndpoints(name: string, version: string, description: string, metadata?: Record<string, string>): Promise<Service> {
    const nc = this.#requireConnection();
    if (!isSemver(version)) throw new InvalidConfiguration(`Service version ${JSON.stringify(version)} is not semver (e.g. 1.0.0)`);
    const service = await nc.services.add({
      name: serviceName(name),
      version,
      description,
      metadata,
    });
    this.#services.push(service);
    try {
      this.assertDescribable(service);
    } catch (err) {
      await service.stop();
      this.#services = this.#services.filter((s) => s !== service);
      throw err;
    }
    return service;
  }

  /** Fails when the service's `$SRV.INFO` answer would exceed the server's max_payload. */
  assertDescribable(service: Service): void {
    const limit = this.#requireConnection().info?.max_payload ?? 1024 * 1024;
    const size = Buffer.byteLength(JSON.stringify(service.info()));
    if (size > limit) {
      throw new SpecTooLarge(
        `Service ${service.info().name} cannot describe itself: its $SRV.INFO reply would be ${size} bytes but the NATS server's max_payload is ${limit} bytes. Shrink the OpenAPI document or raise max_payload.`,
        size,
        limit,
      );
    }
  }

  /** Keeps a request's work visible to shutdown, so a drain waits for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = () => this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /** Connect, serve until SIGINT/SIGTERM (or `stop()`), then drain. */
  async run(): Promise<void> {
    return this.runWithSetup(() => {});
  }

  async runWithSetup(setup: SetupFn): Promise<void> {
    await this.connect();
    const stopped = new Promise<void>((resolve) => (this.#stopRequested = resolve));
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.#stopping) {
        this.log.warn("second signal: closing without draining", { signal });
        void this.#nc?.close();
        return;
      }
      this.log.info("signal received, draining", {
        signal,
        deadlineMs: this.#shutdownTimeoutMs,
      });
      this.stop();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      // Register first, so declared buckets exist during setup; register again if setup declared more.
      await this.register();
      const declared = JSON.stringify(this.registration());
      await setup(this);
      if (JSON.stringify(this.registration()) !== declared) await this.register();
      this.#publishStatus("running");
      this.#statusTimer = setInterval(() => this.#publishStatus("running"), this.#statusIntervalMs);
      this.log.info("extension running", {
        name: this.name,
        services: this.#services.map((s) => s.info().name),
      });
      this.#ready.resolve();
      const closed = this.#nc!.closed().then((err) => {
        // Closed without stop(): the reconnect budget (if one was configured) ran out or the server refused us.
        if (!this.#stopping) throw new ConnectionFailed(`NATS connection closed${err ? `: ${err.message}` : ""}`);
      });
      await Promise.race([stopped, closed]);
    } catch (err) {
      this.#ready.reject(err);
      throw err;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await this.shutdown();
    }
  }

  /** Resolves once `run()`/`runWithSetup()` has connected, set up and registered; rejects if that failed. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Asks a running extension to stop; `run()` resolves once drained. */
  stop(): void {
    if (this.#stopRequested) this.#stopRequested();
    else void this.shutdown();
  }

  /** Stops receiving, lets in-flight requests finish, then drains the connection. */
  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      clearInterval(this.#statusTimer);
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.#shutdownTimeoutMs)));
      const drained = await Promise.race([this.#drain().then(() => true as const), deadline]);
      clearTimeout(timer);
      const nc = this.#nc;
      if (!drained) {
        this.log.warn("shutdown deadline passed; closing the connection", {
          deadlineMs: this.#shutdownTimeoutMs,
          inFlight: this.#inFlight.size,
        });
        if (nc && !nc.isClosed()) await nc.close().catch(() => {});
      }
      this.log.info("extension stopped", { ms: Date.now() - started, drained });
    })();
    return this.#stopping;
  }

  /** The graceful part of shutdown: stop receiving, finish in-flight work, run hooks, drain. */
  async #drain(): Promise<void> {
    if (this.#registered) this.#publishStatus("disconnected");
    await Promise.allSettled(this.#services.map((s) => s.stop()));
    await Promise.allSettled([...this.#inFlight]);
    for (const hook of this.#shutdownHooks) {
      try {
        await hook();
      } catch (err) {
        this.#log.error("shutdown hook failed", {
          error: (err as Error).message,
        });
      }
    }
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    await nc.drain().catch(() => {});
    // While reconnecting, nats.js's drain() resolves with the connection still open and retrying forever.
    if (!nc.isClosed()) await nc.close();
  }

  #requireConnection(): NatsConnection {
    if (!this.#nc) throw new ConnectionFailed("Extension is not connected; call connect(), run() or runWithSetup() first");
    return this.#nc;
  }
}


/** A promise with its resolve/reject at hand (Promise.withResolvers needs Node 22). */
function settleable(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
} {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {}); // a failure is also thrown by run(); an unobserved ready() must not crash the process
  return { promise, resolve, reject };
}
