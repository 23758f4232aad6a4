/**
 * `Client`: using Symphony from outside an extension (reference SDK: Client::new,
 * info, extensions, call_extension, storage, close).
 */
import { connect, jwtAuthenticator, type ConnectionOptions, type NatsConnection } from "nats";
import { readReply, requestBytes, type ClientResponse } from "../client/client.js";
import { isIdempotent, RECONNECT_FOREVER, requestWithRetry } from "../core/retry.js";
import { ConnectionFailed, natsConnectError, Other, Timeout } from "../core/errors.js";
import { SUBJECTS, type RegistrationEntry } from "./platform.js";
import { getValue, openBucket } from "./storage.js";
import { exchangeToken } from "./token.js";

export interface ClientConnectOptions {
  /** Connect straight to this NATS server instead of exchanging the token (development). */
  natsUrl?: string;
  /** Per-request timeout in ms (default 10 s). */
  timeout?: number;
}

export class Client {
  private constructor(
    readonly nc: NatsConnection,
    private readonly timeout: number,
  ) {}

  /** Connects with an API token (exchanged for NATS credentials), or straight to `natsUrl`. */
  static async connect(token: string | undefined, options: ClientConnectOptions = {}): Promise<Client> {
    // Reconnect forever: a NATS restart is waited out (idempotent calls are retried meanwhile), not fatal.
    const config: ConnectionOptions = { name: "symphony-client", ...RECONNECT_FOREVER };
    if (options.natsUrl) config.servers = options.natsUrl;
    else {
      if (!token) throw new ConnectionFailed("Client.connect needs a token (or natsUrl for development)");
      const credentials = await exchangeToken(token);
      config.servers = credentials.servers;
      if (credentials.jwt && credentials.seed) config.authenticator = jwtAuthenticator(credentials.jwt, new TextEncoder().encode(credentials.seed));
      if (credentials.inboxPrefix) config.inboxPrefix = credentials.inboxPrefix;
    }
    try {
      return new Client(await connect(config), options.timeout ?? 10_000);
    } catch (err) {
      throw natsConnectError(err, config.servers);
    }
  }

  /** A platform query: a read, so retried like any idempotent request. */
  async #request<T>(subject: string, payload: unknown): Promise<T> {
    try {
      const msg = await requestWithRetry(this.nc, subject, Buffer.from(JSON.stringify(payload)), { timeoutMs: this.timeout, idempotent: true });
      return JSON.parse(new TextDecoder().decode(msg.data)) as T;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "TIMEOUT") throw new Timeout(`${subject} did not answer within ${this.timeout} ms`, { cause: err });
      if (code === "503") throw new ConnectionFailed(`Nothing answers ${subject}: is this a Symphony platform?`, { cause: err });
      throw new Other(`${subject} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Platform information. */
  info(): Promise<Record<string, unknown>> {
    return this.#request(SUBJECTS.info, {});
  }

  /** Registered extensions. */
  async extensions(): Promise<{ entry: RegistrationEntry; status: string; lastSeen: string }[]> {
    const reply = await this.#request<{ extensions: { entry: RegistrationEntry; status: string; lastSeen: string }[] }>(SUBJECTS.list, {});
    return reply.extensions;
  }

  /**
   * Calls an extension's endpoint with a JSON payload (sent as-is) and returns the reply,
   * unwrapped when it is a wrapped REST reply. Retried (runtime/core/retry.ts) when `idempotent` says so,
   * by default when the payload is an envelope whose `method` is idempotent (GET, HEAD, PUT, DELETE, …).
   */
  async callExtension(prefix: string, endpoint: string, payload: unknown, options: { idempotent?: boolean } = {}): Promise<ClientResponse> {
    const subject = `cirata.extensions.${prefix}.${endpoint}`;
    const bytes = requestBytes(this.nc, subject, payload ?? {});
    const method = (payload as { method?: unknown } | null)?.method;
    const idempotent = options.idempotent ?? (typeof method === "string" && isIdempotent(method));
    try {
      const msg = await requestWithRetry(this.nc, subject, bytes, { timeoutMs: this.timeout, idempotent });
      return readReply(msg.data);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "TIMEOUT") throw new Timeout(`${subject} did not answer within ${this.timeout} ms`, { cause: err });
      if (code === "503") throw new ConnectionFailed(`No instance of extension ${prefix} is answering ${endpoint}`, { cause: err });
      throw new Other(`${subject} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Storage: no bucket → bucket names; bucket → its keys; bucket and key → the value
   * (parsed as JSON when it is JSON, else a string). Typed errors for missing buckets or keys.
   */
  async storage(bucket?: string, key?: string): Promise<unknown> {
    const js = this.nc.jetstream();
    if (!bucket) {
      const names: string[] = [];
      const jsm = await this.nc.jetstreamManager();
      for await (const status of jsm.streams.list()) {
        const name = status.config.name;
        if (name.startsWith("KV_")) names.push(name.slice(3));
      }
      return names.sort();
    }
    const kv = await openBucket(js, bucket);
    if (key === undefined) {
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      return keys.sort();
    }
    const text = new TextDecoder().decode(await getValue(kv, bucket, key));
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
