/**
 * Sending a case: over NATS straight to the endpoint (`cirata.extensions.<prefix>.<endpoint>`, the
 * envelope of docs/protocol.md) or over HTTP through the `dev` gateway (`/api/<prefix><url>`). Both
 * give the same Answer; each also prints a request as a line a user can paste (`nats req`, `curl`).
 * The prefix is the flag's, else found among the running services whose endpoints cover the spec's.
 */
import { connect, RequestStrategy, type NatsConnection } from "nats";
import { readReply, type ClientInput, type RestRequest } from "@symphony-codegen/runtime";
import type { ConformanceApi, ConformanceOp } from "./api.js";
import { envelopeOf } from "./plan.js";

export interface Answer {
  status: number;
  contentType?: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Sending failed: no answer in time, no responders, a refused connection. */
export class NoAnswer extends Error {}

/** A usage or connection problem: exit code 2. */
export class UsageError extends Error {}

export interface Transport {
  readonly prefix: string;
  send(op: ConformanceOp, input: ClientInput): Promise<Answer>;
  /** The request as a command line. */
  show(op: ConformanceOp, input: ClientInput): string;
  close(): Promise<void>;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function envelope(op: ConformanceOp, input: ClientInput): RestRequest {
  const e = envelopeOf(op, input);
  if (!e) throw new NoAnswer("the runtime's client cannot serialise this input");
  return e;
}

/** A service as discovery lists it: its name and its endpoints' subjects. */
interface Listed {
  name: string;
  endpoints: { name: string; subject: string; method?: string; path?: string }[];
}

/** The prefix of the one service that serves every endpoint of the spec (its name breaks ties). */
function choosePrefix(api: ConformanceApi, services: Listed[], where: string): string {
  const wanted = api.ops.map((op) => op.model.endpoint);
  const candidates = new Map<string, boolean>();
  for (const s of services) {
    const bySubject = new Map(s.endpoints.map((e) => [e.subject, e]));
    const prefixes = new Set(s.endpoints.map((e) => /^cirata\.extensions\.([^.]+)\./.exec(e.subject)?.[1]).filter((p): p is string => p !== undefined));
    for (const prefix of prefixes) {
      // Same endpoint names, and (where the endpoint says) the same method and path.
      const serves = api.ops.every((op) => {
        const e = bySubject.get(`cirata.extensions.${prefix}.${op.model.endpoint}`);
        return e !== undefined && (e.method === undefined || e.method === op.model.method) && (e.path === undefined || e.path === op.model.path);
      });
      if (serves) candidates.set(prefix, (candidates.get(prefix) ?? false) || s.name.toLowerCase() === api.model.serviceName.toLowerCase());
    }
  }
  const named = [...candidates].filter(([, byName]) => byName).map(([p]) => p);
  const all = named.length > 0 ? named : [...candidates.keys()];
  if (all.length === 1) return all[0]!;
  if (all.length === 0)
    throw new UsageError(
      `no running service on ${where} serves every endpoint of ${JSON.stringify(api.model.title)} (${wanted.join(", ")}); start it, or pass --prefix`,
    );
  throw new UsageError(`several prefixes on ${where} serve ${JSON.stringify(api.model.title)}: ${all.join(", ")}; pass --prefix`);
}

export async function natsTransport(api: ConformanceApi, url: string, prefix: string | undefined, timeoutMs: number): Promise<Transport> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, reconnect: false, timeout: timeoutMs });
  } catch (err) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(err as Error).message}`);
  }
  try {
    prefix ??= choosePrefix(api, await listNats(nc, timeoutMs), url);
  } catch (err) {
    await nc.close();
    throw err;
  }
  const subject = (op: ConformanceOp) => `cirata.extensions.${prefix}.${op.model.endpoint}`;
  return {
    prefix,
    async send(op, input) {
      let data: Uint8Array;
      try {
        data = (await nc.request(subject(op), JSON.stringify(envelope(op, input)), { timeout: timeoutMs })).data;
      } catch (err) {
        throw err instanceof NoAnswer ? err : new NoAnswer(`no answer on ${subject(op)}: ${(err as Error).message}`);
      }
      const reply = readReply(data);
      return { status: reply.status, contentType: reply.contentType, headers: lowerKeys(reply.headers), body: reply.body };
    },
    show: (op, input) => `nats req --server ${url} ${subject(op)} ${shellQuote(JSON.stringify(envelope(op, input)))}`,
    close: () => nc.close(),
  };
}

async function listNats(nc: NatsConnection, timeoutMs: number): Promise<Listed[]> {
  const out: Listed[] = [];
  try {
    for await (const info of await nc.services.client({ maxWait: Math.min(timeoutMs, 2000), strategy: RequestStrategy.JitterTimer, jitter: 300 }).info())
      out.push({ name: info.name, endpoints: (info.endpoints ?? []).map((e) => ({ ...e, method: e.metadata?.method, path: e.metadata?.path })) });
  } catch {
    // no service answered: the prefix cannot be found (choosePrefix says so)
  }
  return out;
}

const lowerKeys = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** The body bytes an envelope carries (JSON values as text, base64 decoded). */
function bodyBytes(e: RestRequest): Buffer | undefined {
  if (e.body === undefined || e.body === null) return undefined;
  if (e.body_encoding === "base64" && typeof e.body === "string") return Buffer.from(e.body, "base64");
  return Buffer.from(typeof e.body === "string" && !/json/i.test(e.headers["content-type"] ?? "") ? e.body : JSON.stringify(e.body));
}

const STALE_SOCKET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

export async function gatewayTransport(api: ConformanceApi, baseUrl: string, prefix: string | undefined, timeoutMs: number): Promise<Transport> {
  const base = baseUrl.replace(/\/+$/, "");
  if (!prefix) {
    let listed: { services?: Listed[] };
    try {
      const res = await fetch(`${base}/_symphony/extensions`, { signal: AbortSignal.timeout(timeoutMs) });
      listed = (await res.json()) as { services?: Listed[] };
    } catch (err) {
      throw new UsageError(`cannot reach the gateway at ${base}: ${(err as Error).message}`);
    }
    prefix = choosePrefix(api, listed.services ?? [], base);
  }
  const url = (e: RestRequest) => `${base}/api/${prefix}${e.url}`;
  return {
    prefix,
    async send(op, input) {
      const e = envelope(op, input);
      const once = () => fetch(url(e), { method: e.method, headers: e.headers, body: bodyBytes(e), signal: AbortSignal.timeout(timeoutMs) });
      let res: Response;
      try {
        // A kept-alive socket the server closed while idle (planning an operation can take seconds)
        // resets the next request: it is sent once more, on a new socket.
        res = await once().catch((err: unknown) => (STALE_SOCKET.has((err as { cause?: { code?: string } }).cause?.code ?? "") ? once() : Promise.reject(err)));
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new NoAnswer(`no answer from ${url(e)}: ${(err as Error).message}${cause ? ` (${cause})` : ""}`);
      }
      const text = await res.text();
      const contentType = res.headers.get("content-type") ?? undefined;
      let body: unknown = text === "" ? undefined : text;
      if (text !== "" && contentType && /json/i.test(contentType)) {
        try {
          body = JSON.parse(text);
        } catch {
          // judged as text: the schema check says what is wrong
        }
      }
      return { status: res.status, contentType, headers: Object.fromEntries(res.headers), body };
    },
    show(op, input) {
      const e = envelope(op, input);
      const headers = Object.entries(e.headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`);
      const body = bodyBytes(e);
      return ["curl -i -X", e.method, shellQuote(url(e)), ...headers, ...(body ? ["--data-binary", shellQuote(body.toString())] : [])].join(" ");
    },
    close: async () => {},
  };
}
