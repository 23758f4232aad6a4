/**
 * Observability (reference SDK `Observability`): counters, structured log records
 * and finished spans kept in process and served as JSON snapshots by three NATS
 * endpoints, `metrics`, `logs` and `traces`, in group
 * `cirata.extensions.<prefix>.observability` of an extension's service (every instance
 * answers there) and per instance under `….observability.<instance>`, where the
 * Observability Extension collects them.
 *
 * Trace and span ids, span kinds and W3C `traceparent` propagation follow
 * OpenTelemetry (`@opentelemetry/api`); collection itself is deliberately small:
 * bounded in-memory buffers, no exporter. Nothing recorded carries credentials:
 * log records, span and counter attributes go through the log redaction, and
 * token-shaped strings are masked wherever they appear.
 */
import type { AttributeValue, Attributes, SpanContext } from "@opentelemetry/api";
import { Match, type Msg, type MsgHdrs, type NatsConnection, type Service, type ServiceMsg } from "nats";
import { InvalidConfiguration } from "../core/errors.js";
import { createLogger, redact, type LogFields, type Logger } from "../core/log.js";
import { isValidPrefix } from "./names.js";
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, SAMPLED, SPAN_KIND_NAMES, SpanKind } from "../core/trace-context.js";

// Span kinds and W3C trace context live in core/trace-context.ts (every served request is traced); exported here as before.
export { formatTraceparent, parseTraceparent, SpanKind };
import type { RestRequest } from "../serve/envelope.js";

const KIND_NAMES: Record<number, string> = { ...SPAN_KIND_NAMES };

/** Where a parent trace context can come from: a REST envelope, a NATS message, a header map or a `traceparent` string. */
export type TraceCarrier =
  RestRequest | Pick<Msg, "headers" | "data"> | { headers?: Record<string, string | string[] | undefined> | MsgHdrs } | string | null | undefined;

/** A started span; end it with `Observability.endSpan`. */
export interface ActiveSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  /** The caller's span id, when the span continues a trace. */
  readonly parentSpanId?: string;
  readonly traceFlags: number;
  /** Epoch milliseconds (fractional). */
  readonly startTime: number;
  readonly attributes: Attributes;
  ended: boolean;
}

/** A finished span as the `traces` endpoint returns it. */
export interface SpanRecord {
  seq: number;
  name: string;
  kind: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceFlags: number;
  startTime: string;
  endTime: string;
  durationMs: number;
  attributes: Attributes;
  /** OpenTelemetry status code names. */
  status: { code: "OK" | "ERROR"; message?: string };
}

/** A captured log record as the `logs` endpoint returns it: the stdout line's fields plus a sequence number. */
export interface LogRecord {
  seq: number;
  timestamp: string;
  level: string;
  message: string;
  [field: string]: unknown;
}

export interface CounterRecord {
  name: string;
  value: number;
  attributes: Attributes;
}

export interface MetricsSnapshot {
  prefix: string;
  instance: string;
  timestamp: string;
  counters: CounterRecord[];
}

export interface RecordsSnapshot<T> {
  prefix: string;
  instance: string;
  /** Pass as `since` to get only newer records next time. */
  next: number;
  /** Records dropped from the bounded buffer so far. */
  dropped: number;
  records: T[];
}

export interface ObservabilityOptions {
  /** Log records kept for the `logs` endpoint (oldest dropped first). Default 1000. */
  maxLogRecords?: number;
  /** Finished spans kept for the `traces` endpoint. Default 1000. */
  maxSpans?: number;
  /** Where captured log lines are written as well; default stdout. */
  write?: (line: string) => void;
  /**
   * Queue group of the shared endpoints (`…observability.<name>`). Default: one of this instance's
   * own, so a request there reaches every instance (a collector scatters and gets one reply per
   * instance). Give one shared by all instances to have a single instance answer instead.
   */
  queue?: string;
}

/** Options a collector may send in a request to `logs` or `traces`. */
interface QueryOptions {
  since?: number;
  limit?: number;
}

// Token-shaped strings masked wherever they occur: platform tokens, JWTs, NATS NKey seeds.
const SECRET_TEXT = /\bsym_[A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|\bS[UACONPX][A-Z2-7]{56}\b/g;

/** Replaces token-shaped substrings with "[redacted]". */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_TEXT, "[redacted]");
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  if (typeof (headers as MsgHdrs).get === "function" && typeof (headers as MsgHdrs).has === "function") {
    const value = (headers as MsgHdrs).get(name, Match.IgnoreCase);
    return value || undefined;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() !== name) continue;
    if (typeof v === "string") return v;
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  }
  return undefined;
}

/** The parent span context a carrier holds: a NATS header first, else the REST envelope's headers (also inside a message's payload). */
export function extractTraceContext(carrier: TraceCarrier): SpanContext | undefined {
  if (carrier === null || carrier === undefined) return undefined;
  if (typeof carrier === "string") return parseTraceparent(carrier);
  const direct = parseTraceparent(headerValue(carrier.headers, "traceparent"));
  if (direct) return direct;
  const data = (carrier as { data?: unknown }).data;
  if (data instanceof Uint8Array && data.length > 0 && data.length < 1024 * 1024) {
    try {
      const envelope = JSON.parse(new TextDecoder().decode(data)) as {
        headers?: unknown;
      };
      return parseTraceparent(headerValue(envelope?.headers, "traceparent"));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function cleanAttributes(attributes: Record<string, unknown> | undefined): Attributes {
  if (!attributes) return {};
  const redacted = redact(attributes) as Record<string, unknown>;
  const out: Attributes = {};
  for (const [k, v] of Object.entries(redacted)) {
    if (typeof v === "string") out[k] = maskSecrets(v);
    else if (typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[k] = v.map((x) => maskSecrets(x as string));
    else if (Array.isArray(v) && v.every((x) => typeof x === "number")) out[k] = v as number[];
    else if (Array.isArray(v) && v.every((x) => typeof x === "boolean")) out[k] = v as boolean[];
    else if (v !== undefined && v !== null) out[k] = maskSecrets(JSON.stringify(v)) as AttributeValue;
  }
  return out;
}

function attributesKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((k) => [k, attributes[k]]),
  );
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A bounded buffer of records numbered from 1. */
class Ring<T extends { seq: number }> {
  #items: T[] = [];
  #seq = 0;
  dropped = 0;
  constructor(readonly max: number) {}
  push(make: (seq: number) => T): T {
    const item = make(++this.#seq);
    this.#items.push(item);
    if (this.#items.length > this.max) {
      this.#items.shift();
      this.dropped++;
    }
    return item;
  }
  get last(): number {
    return this.#seq;
  }
  query({ since = 0, limit }: QueryOptions): T[] {
    const newer = this.#items.filter((r) => r.seq > since);
    return limit !== undefined ? newer.slice(0, limit) : newer;
  }
}

function readQuery(data: Uint8Array): QueryOptions {
  if (data.length === 0) return {};
  const value = JSON.parse(new TextDecoder().decode(data)) as unknown;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("request must be a JSON object");
  const { since, limit } = value as Record<string, unknown>;
  const out: QueryOptions = {};
  if (since !== undefined) {
    if (!Number.isInteger(since) || (since as number) < 0) throw new Error("since must be a non-negative integer");
    out.since = since as number;
  }
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || (limit as number) < 1) throw new Error("limit must be a positive integer");
    out.limit = limit as number;
  }
  return out;
}

export class Observability {
  readonly prefix: string;
  readonly instance: string;
  #counters = new Map<string, CounterRecord>();
  #logs: Ring<LogRecord>;
  #spans: Ring<SpanRecord>;
  #write: (line: string) => void;

  private constructor(prefix: string, instance: string, options: ObservabilityOptions) {
    this.prefix = prefix;
    this.instance = instance;
    this.#logs = new Ring(options.maxLogRecords ?? 1000);
    this.#spans = new Ring(options.maxSpans ?? 1000);
    this.#write = options.write ?? ((line) => process.stdout.write(line + "\n"));
  }

  /**
   * Adds the `metrics`, `logs` and `traces` endpoints to a service from `ext.addEndpoints` or a
   * generated `register`, on two subjects each:
   * - `cirata.extensions.<prefix>.observability.<name>`: every instance answers (each in its own
   *   queue group), so a collector's scatter request (`requestMany`) reads all instances and a plain
   *   request gets the first answer;
   * - `cirata.extensions.<prefix>.observability.<instance>.<name>` (endpoint `instance_<name>`): this
   *   instance only, for polling one instance's logs and traces with its own `since` cursor.
   * `<instance>` is the service's `$SRV.INFO` id, also the `instance` of every answer. Resolves
   * once the server has the subscriptions.
   */
  static async enable(service: Service, prefix: string, options: ObservabilityOptions = {}): Promise<Observability> {
    if (!isValidPrefix(prefix)) throw new InvalidConfiguration(`Extension prefix ${JSON.stringify(prefix)} must be one NATS subject token`);
    for (const [key, v] of [
      ["maxLogRecords", options.maxLogRecords],
      ["maxSpans", options.maxSpans],
    ] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new InvalidConfiguration(`${key} must be a positive integer`);
    }
    const instance = service.info().id;
    const obs = new Observability(prefix, instance, options);
    const subject = `cirata.extensions.${prefix}.observability`;
    // A queue group of this instance alone: NATS hands a message to one member of each group, so every instance gets it.
    const shared = service.addGroup(subject, options.queue ?? `observability-${instance}`);
    const own = service.addGroup(`${subject}.${instance}`);
    const handler =
      (answer: (query: QueryOptions) => unknown) =>
      (err: Error | null, msg: ServiceMsg): void => {
        if (err) return;
        let query: QueryOptions;
        try {
          query = readQuery(msg.data);
        } catch (e) {
          msg.respondError(400, (e as Error).message, new TextEncoder().encode(JSON.stringify({ error: (e as Error).message })));
          return;
        }
        msg.respond(new TextEncoder().encode(JSON.stringify(answer(query))));
      };
    const endpoint = (name: string, answer: (query: QueryOptions) => unknown) => {
      shared.addEndpoint(name, {
        metadata: { observability: name },
        handler: handler(answer),
      });
      own.addEndpoint(`instance_${name}`, {
        subject: name,
        metadata: { observability: name, instance },
        handler: handler(answer),
      });
    };
    endpoint("metrics", () => obs.metrics());
    endpoint("logs", (q) => obs.logs(q));
    endpoint("traces", (q) => obs.traces(q));
    // The service's connection is not part of its typed surface; flush when it is there.
    const nc = (service as unknown as { nc?: NatsConnection }).nc;
    if (nc && typeof nc.flush === "function" && !nc.isClosed()) await nc.flush();
    return obs;
  }

  // ---- metrics

  /** Adds `by` (default 1) to a counter; attributes distinguish series of one counter. */
  incrementCounter(name: string, by = 1, attributes?: Record<string, unknown>): void {
    if (!name) throw new InvalidConfiguration("Counter name is required");
    if (!Number.isFinite(by)) throw new InvalidConfiguration(`Counter increment must be a finite number, got ${String(by)}`);
    const attrs = cleanAttributes(attributes);
    const key = name + "\u0000" + attributesKey(attrs);
    const counter = this.#counters.get(key);
    if (counter) counter.value += by;
    else this.#counters.set(key, { name, value: by, attributes: attrs });
  }

  /** A counter's value (summed over all attribute sets when none are given). */
  counter(name: string, attributes?: Record<string, unknown>): number {
    const wanted = attributes ? attributesKey(cleanAttributes(attributes)) : undefined;
    let total = 0;
    for (const c of this.#counters.values()) {
      if (c.name === name && (wanted === undefined || attributesKey(c.attributes) === wanted)) total += c.value;
    }
    return total;
  }

  metrics(): MetricsSnapshot {
    const counters = [...this.#counters.values()]
      .map((c) => ({
        name: c.name,
        value: c.value,
        attributes: { ...c.attributes },
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      prefix: this.prefix,
      instance: this.instance,
      timestamp: new Date().toISOString(),
      counters,
    };
  }

  // ---- traces

  /** Starts a span continuing the trace the request carries (W3C `traceparent`), or a new trace when it carries none. */
  startChildSpanFromRequest(name: string, kind: SpanKind, request: TraceCarrier): ActiveSpan {
    return this.startSpan(name, kind, extractTraceContext(request));
  }

  /** Starts a span under `parent`, or the root of a new trace. */
  startSpan(name: string, kind: SpanKind = SpanKind.Internal, parent?: SpanContext | ActiveSpan): ActiveSpan {
    if (!name) throw new InvalidConfiguration("Span name is required");
    if (!(kind in KIND_NAMES)) throw new InvalidConfiguration(`Unknown span kind ${String(kind)}`);
    const span: ActiveSpan = {
      name,
      kind,
      traceId: parent?.traceId ?? newTraceId(),
      spanId: newSpanId(),
      traceFlags: parent ? parent.traceFlags : SAMPLED,
      startTime: nowMs(),
      attributes: {},
      ended: false,
    };
    if (parent) (span as { parentSpanId?: string }).parentSpanId = parent.spanId;
    return span;
  }

  /** Ends a span and keeps it for the `traces` endpoint; an `error` marks its status. Ending twice records it once. */
  endSpan(span: ActiveSpan, attributes: Record<string, unknown> = {}, error?: unknown): SpanRecord | undefined {
    if (span.ended) return undefined;
    span.ended = true;
    const end = nowMs();
    const status: SpanRecord["status"] =
      error === undefined ? { code: "OK" } : { code: "ERROR", message: maskSecrets(error instanceof Error ? error.message : String(error)) };
    return this.#spans.push((seq) => {
      const record: SpanRecord = {
        seq,
        name: span.name,
        kind: KIND_NAMES[span.kind]!,
        traceId: span.traceId,
        spanId: span.spanId,
        traceFlags: span.traceFlags,
        startTime: new Date(span.startTime).toISOString(),
        endTime: new Date(end).toISOString(),
        durationMs: Math.max(0, Math.round((end - span.startTime) * 1000) / 1000),
        attributes: { ...span.attributes, ...cleanAttributes(attributes) },
        status,
      };
      if (span.parentSpanId) record.parentSpanId = span.parentSpanId;
      return record;
    });
  }

  /** The `traceparent` to send downstream so the next hop continues this span's trace. */
  traceparent(span: ActiveSpan): string {
    return formatTraceparent(span);
  }

  traces(query: QueryOptions = {}): RecordsSnapshot<SpanRecord> {
    return {
      prefix: this.prefix,
      instance: this.instance,
      next: this.#spans.last,
      dropped: this.#spans.dropped,
      records: this.#spans.query(query),
    };
  }

  // ---- logs

  /**
   * A Logger that writes each record to stdout (as `createLogger` does) and keeps it
   * for the `logs` endpoint. Credential-named fields are redacted and token-shaped
   * text masked before the line is written or kept.
   */
  logCapture(fields: LogFields = {}): Logger {
    return createLogger({ extension: this.prefix, ...fields }, (line) => {
      const clean = maskSecrets(line);
      this.#write(clean);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(clean) as Record<string, unknown>;
      } catch {
        parsed = {
          timestamp: new Date().toISOString(),
          level: "info",
          message: clean,
        };
      }
      this.#logs.push((seq) => ({ ...parsed, seq }) as LogRecord);
    });
  }

  logs(query: QueryOptions = {}): RecordsSnapshot<LogRecord> {
    return {
      prefix: this.prefix,
      instance: this.instance,
      next: this.#logs.last,
      dropped: this.#logs.dropped,
      records: this.#logs.query(query),
    };
  }
}
