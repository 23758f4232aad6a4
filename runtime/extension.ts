/**
 * The Extension builder and lifecycle (reference SDK: Extension, run, run_with_setup, add_endpoints).
 * Until the platform connection path exists, an extension connects to a NATS URL
 * given by `withNatsUrl()` or `NATS_URL` (the development path, see docs/protocol.md).
 */
import { connect, type ConnectionOptions, type NatsConnection, type Service, type JetStreamClient } from "nats";
import { ConnectionFailed, InvalidConfiguration, SpecTooLarge } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { isSemver, isValidPrefix, serviceName } from "./names.js";

export type SetupFn = (ext: Extension) => void | Promise<void>;

export class Extension {
  readonly name: string;
  readonly prefix: string;
  description = "";
  readonly log: Logger;
  #token?: string;
  #natsUrl?: string;
  #connectOptions: Partial<ConnectionOptions> = {};
  #nc?: NatsConnection;
  #services: Service[] = [];
  #inFlight = new Set<Promise<unknown>>();
  #stopRequested?: () => void;
  #stopping?: Promise<void>;

  constructor(name: string, prefix: string) {
    if (!name) throw new InvalidConfiguration("Extension name is required");
    if (!isValidPrefix(prefix)) {
      throw new InvalidConfiguration(`Extension prefix ${JSON.stringify(prefix)} must be one NATS subject token: letters, digits, "_" or "-"`);
    }
    this.name = name;
    this.prefix = prefix;
    this.log = createLogger({ extension: prefix });
  }

  withDescription(description: string): this {
    this.description = description;
    return this;
  }

  /** API token (normally from SYMPHONY_TOKEN). Never logged. */
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

  /** The NATS connection, once connected. */
  conn(): NatsConnection | undefined {
    return this.#nc;
  }

  async jetstream(): Promise<JetStreamClient> {
    return this.#requireConnection().jetstream();
  }

  /** Instance identifier: the NATS client id until platform identities exist. */
  identifier(): string | undefined {
    const nc = this.#nc;
    return nc ? `${this.prefix}-${nc.info?.client_id ?? "0"}` : undefined;
  }

  async connect(): Promise<NatsConnection> {
    if (this.#nc) return this.#nc;
    const url = this.#natsUrl ?? process.env.NATS_URL;
    if (!url) {
      throw new InvalidConfiguration(
        this.#token
          ? "Connecting with a platform token is not available in this runtime yet; set NATS_URL (or call withNatsUrl) to a NATS server"
          : "No connection configured: set NATS_URL (or call withNatsUrl) to a NATS server such as nats://127.0.0.1:4222",
      );
    }
    try {
      this.#nc = await connect({ servers: url, name: `${this.prefix} (${this.name})`, ...this.#connectOptions });
    } catch (err) {
      throw new ConnectionFailed(`Could not connect to NATS at ${url}: ${(err as Error).message}`, { cause: err });
    }
    this.log.info("connected", { server: this.#nc.getServer() });
    return this.#nc;
  }

  /**
   * Adds a NATS micro service. Metadata values must fit, with the rest of the
   * service description, in the server's max_payload, or `$SRV.INFO` cannot answer.
   */
  async addEndpoints(name: string, version: string, description: string, metadata?: Record<string, string>): Promise<Service> {
    const nc = this.#requireConnection();
    if (!isSemver(version)) throw new InvalidConfiguration(`Service version ${JSON.stringify(version)} is not semver (e.g. 1.0.0)`);
    const service = await nc.services.add({ name: serviceName(name), version, description, metadata });
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
      this.log.info("signal received, draining", { signal });
      this.stop();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await setup(this);
      this.log.info("extension running", { name: this.name, services: this.#services.map((s) => s.info().name) });
      await Promise.race([stopped, this.#nc!.closed()]);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await this.shutdown();
    }
  }

  /** Asks a running extension to stop; `run()` resolves once drained. */
  stop(): void {
    if (this.#stopRequested) this.#stopRequested();
    else void this.shutdown();
  }

  /** Stops receiving, lets in-flight requests finish, then drains the connection. */
  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.allSettled(this.#services.map((s) => s.stop()));
      await Promise.allSettled([...this.#inFlight]);
      const nc = this.#nc;
      if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
      this.log.info("extension stopped");
    })();
    return this.#stopping;
  }

  #requireConnection(): NatsConnection {
    if (!this.#nc) throw new ConnectionFailed("Extension is not connected; call connect(), run() or runWithSetup() first");
    return this.#nc;
  }
}
