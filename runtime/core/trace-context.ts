/**
 * W3C trace context (`traceparent`), ids and the spans every served request runs in.
 *
 * Each request an extension serves gets a span (`ctx.span`) continuing the trace its envelope
 * carries (the gateway or another extension's typed client sets `traceparent`), or starting one.
 * Spans implement OpenTelemetry's `Span` interface. When the process has registered an
 * OpenTelemetry API (an SDK with an OTLP exporter, say), the span is that SDK's and the handler
 * runs with it active, so it is exported with everything else; otherwise it is a small recording
 * span of ours. Either way, a finished span goes to the served API's `exportSpan` (under
 * `symphony-codegen dev`, to the local platform, which shows the trace trees).
 *
 * Only types come from `@opentelemetry/api` unless a process registered it: loading it costs an
 * extension ~7 MiB of resident memory (see observability.ts).
 */
import { randomFillSync } from "node:crypto";
import { createRequire } from "node:module";
import type { Attributes, AttributeValue, Exception, Link, Span, SpanContext, SpanStatus, TimeInput, TraceState } from "@opentelemetry/api";

/** W3C trace context: the `sampled` trace flag. */
export const SAMPLED = 1;
/** A trace id: 32 lower-case hex digits, not all zero (W3C trace context, as OpenTelemetry's `isValidTraceId`). */
export const isValidTraceId = (id: string) => /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id);
/** A span id: 16 hex digits, not all zero (OpenTelemetry's `isValidSpanId`). */
export const isValidSpanId = (id: string) => /^[0-9a-f]{16}$/.test(id) && !/^0+$/.test(id);

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a W3C `traceparent` header; undefined when absent or invalid. */
export function parseTraceparent(value: string | undefined | null): SpanContext | undefined {
  if (typeof value !== "string" || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & 0xff, isRemote: true };
}

/** The W3C `traceparent` value for a span context (to pass downstream). */
export function formatTraceparent(span: Pick<SpanContext, "traceId" | "spanId" | "traceFlags">): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** A `tracestate` header carried as it came (W3C: vendors' entries are theirs to read). */
class PassedTraceState implements TraceState {
  constructor(private readonly raw: string) {}
  #entries(): [string, string][] {
    return this.raw
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean)
      .map((m) => [m.slice(0, Math.max(0, m.indexOf("="))), m.slice(m.indexOf("=") + 1)] as [string, string]);
  }
  get(key: string): string | undefined {
    return this.#entries().find(([k]) => k === key)?.[1];
  }
  set(key: string, value: string): TraceState {
    return new PassedTraceState(
      [
        `${key}=${value}`,
        ...this.#entries()
          .filter(([k]) => k !== key)
          .map(([k, v]) => `${k}=${v}`),
      ].join(","),
    );
  }
  unset(key: string): TraceState {
    return new PassedTraceState(
      this.#entries()
        .filter(([k]) => k !== key)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  }
  serialize(): string {
    return this.raw;
  }
}

/** The parent context a request's headers carry (`traceparent`, and `tracestate` with it), else undefined. */
export function parentFromHeaders(headers: Record<string, string> | undefined): SpanContext | undefined {
  const parent = parseTraceparent(headers?.traceparent);
  const state = parent && cleanTracestate(headers?.tracestate);
  if (state) parent!.traceState = new PassedTraceState(state);
  return parent;
}

/** A `tracestate` worth passing on: W3C allows 512 characters of list members; anything else is dropped. */
export function cleanTracestate(value: string | undefined): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 512 && /^[\x20-\x7e]*$/.test(value) ? value : undefined;
}

// Random ids from a refilled pool: one randomFillSync per 256 ids rather than per id.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomHex(bytes: number): string {
  for (;;) {
    if (poolAt + bytes > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const hex = pool.toString("hex", poolAt, (poolAt += bytes));
    if (!/^0+$/.test(hex)) return hex;
  }
}
export const newTraceId = () => randomHex(16);
export const newSpanId = () => randomHex(8);

/** Span kinds, with OpenTelemetry's values (its `SpanKind` enum). */
export const SpanKind = { Internal: 0, Server: 1, Client: 2, Producer: 3, Consumer: 4 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];
export const SPAN_KIND_NAMES = ["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;

/** A finished span as exported (to the local platform under `dev`): plain JSON. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: (typeof SPAN_KIND_NAMES)[number];
  /** Who recorded it: an extension's prefix, or "gateway". */
  service: string;
  /** The extension instance (its `$SRV.INFO` id), when known. */
  instance?: string;
  /** Epoch milliseconds. */
  startTime: number;
  durationMs: number;
  status: "UNSET" | "OK" | "ERROR";
  statusMessage?: string;
  attributes: Record<string, string | number | boolean>;
}

const clock = () => performance.timeOrigin + performance.now();

function toMillis(time: TimeInput | undefined): number {
  if (time === undefined) return clock();
  if (typeof time === "number") return time;
  if (time instanceof Date) return time.getTime();
  return time[0] * 1000 + time[1] / 1e6;
}

/** Attribute values a span keeps: primitives, and arrays of them flattened to text. */
function attributeValue(value: AttributeValue | undefined): string | number | boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(",");
  return value as string | number | boolean;
}

/** Most attributes a span keeps (a handler in a loop must not grow it without bound). */
const MAX_ATTRIBUTES = 128;

/** A span of ours: records what OpenTelemetry's `Span` interface lets a handler say, for `finish()`. */
export class RecordingSpan implements Span {
  readonly #context: SpanContext;
  readonly attributes: Record<string, string | number | boolean> = Object.create(null);
  status: SpanStatus = { code: 0 };
  endTime?: number;

  constructor(
    public name: string,
    readonly kind: SpanKind,
    readonly parent: SpanContext | undefined,
    readonly startTime: number = clock(),
  ) {
    this.#context = { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), traceFlags: parent ? parent.traceFlags : SAMPLED };
    if (parent?.traceState) this.#context.traceState = parent.traceState;
  }

  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    const v = attributeValue(value);
    if (v !== undefined && this.endTime === undefined && (key in this.attributes || Object.keys(this.attributes).length < MAX_ATTRIBUTES))
      this.attributes[key] = v;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.setAttribute(k, v);
    return this;
  }
  addEvent(): this {
    return this; // events are for an OpenTelemetry SDK's span; ours keeps attributes and status
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    if (this.endTime === undefined) this.status = status;
    return this;
  }
  updateName(name: string): this {
    if (this.endTime === undefined) this.name = name;
    return this;
  }
  end(endTime?: TimeInput): void {
    this.endTime ??= toMillis(endTime);
  }
  isRecording(): boolean {
    return this.endTime === undefined;
  }
  recordException(exception: Exception): void {
    const message = typeof exception === "string" ? exception : (exception.message ?? exception.name ?? "exception");
    this.setAttribute("exception.message", String(message).slice(0, 500));
  }
}

/** The OpenTelemetry API module, when this process registered one (an SDK, an exporter); loaded on first use. */
type OtelApi = typeof import("@opentelemetry/api");
let otel: OtelApi | null | undefined;
export function registeredOpenTelemetry(): OtelApi | undefined {
  if (otel === undefined) {
    // @opentelemetry/api keeps its registrations on this global (its major version in the key).
    const registered = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for("opentelemetry.js.api.1")]?.trace;
    otel = registered ? (createRequire(import.meta.url)("@opentelemetry/api") as OtelApi) : null;
  }
  return otel ?? undefined;
}

/** Forgets whether an OpenTelemetry API was registered (tests register one after the first request). */
export function resetOpenTelemetryCheck(): void {
  otel = undefined;
}

/** `span`'s W3C context to send downstream: `traceparent`, plus `tracestate` when it has one. */
export function traceHeaders(span: Pick<Span, "spanContext">): Record<string, string> {
  const context = span.spanContext();
  const headers: Record<string, string> = { traceparent: formatTraceparent(context) };
  const state = cleanTracestate(context.traceState?.serialize());
  if (state) headers.tracestate = state;
  return headers;
}

/** Where a served API's finished spans go, and whose they are. */
export interface SpanExporter {
  service: string;
  instance?: () => string | undefined;
  export(span: FinishedSpan): void;
}

/**
 * A request's span from start to `finish()`: OpenTelemetry's when the process registered it (the
 * handler then runs with it active: `run`), else ours. What is exported is taken from our own
 * bookkeeping, since OpenTelemetry's `Span` interface lets nobody read a span back.
 */
export class RequestTrace {
  readonly span: Span;
  readonly #parent?: SpanContext;
  readonly #start: number;
  readonly #otel?: OtelApi;
  #name: string;
  readonly #kind: SpanKind;
  readonly #attributes: Record<string, string | number | boolean>;

  /** `start`: epoch milliseconds (performance.timeOrigin-based), default now. */
  constructor(name: string, kind: SpanKind, parent: SpanContext | undefined, attributes: Record<string, string | number | boolean>, start: number = clock()) {
    this.#start = start;
    this.#name = name;
    this.#kind = kind;
    this.#parent = parent;
    this.#attributes = attributes;
    this.#otel = registeredOpenTelemetry();
    if (this.#otel) {
      const api = this.#otel;
      const context = parent ? api.trace.setSpanContext(api.context.active(), parent) : api.context.active();
      this.span = api.trace.getTracer("@symphony-codegen/runtime").startSpan(name, { kind, attributes, startTime: this.#start }, context);
    } else {
      this.span = new RecordingSpan(name, kind, parent, this.#start).setAttributes(attributes);
    }
  }

  /** Runs `fn` with this span active in OpenTelemetry's context, when it is registered. */
  run<T>(fn: () => T): T {
    const api = this.#otel;
    return api ? api.context.with(api.trace.setSpan(api.context.active(), this.span), fn) : fn();
  }

  /** Ends the span with the response's status (≥ 500 is an error) and hands it to `exporter`. */
  finish(statusCode: number, exporter: SpanExporter | undefined, error?: string): void {
    const span = this.span;
    span.setAttribute("http.response.status_code", statusCode);
    if (statusCode >= 500) span.setStatus({ code: 2, message: error ?? `HTTP ${statusCode}` });
    const end = clock();
    span.end(end);
    if (!exporter) return;
    const ours = span instanceof RecordingSpan ? span : undefined;
    const context = span.spanContext();
    const status = ours?.status ?? (statusCode >= 500 ? { code: 2, message: error } : { code: 0 });
    const finished: FinishedSpan = {
      traceId: context.traceId,
      spanId: context.spanId,
      name: ours?.name ?? this.#name,
      kind: SPAN_KIND_NAMES[this.#kind],
      service: exporter.service,
      startTime: Math.round(this.#start * 1000) / 1000,
      durationMs: Math.max(0, Math.round((end - this.#start) * 1000) / 1000),
      status: status.code === 2 ? "ERROR" : status.code === 1 ? "OK" : "UNSET",
      attributes: { ...this.#attributes, ...(ours?.attributes ?? {}), "http.response.status_code": statusCode },
    };
    if (this.#parent) finished.parentSpanId = this.#parent.spanId;
    if (status.code === 2 && status.message) finished.statusMessage = status.message;
    const instance = exporter.instance?.();
    if (instance) finished.instance = instance;
    exporter.export(finished);
  }
}
