/**
 * The local platform's trace view: spans the gateway records, and those extensions publish under
 * `dev` (`symphony.dev.spans.<prefix>`, runtime/serve/serve.ts), kept by trace id in a bounded
 * store and shown as trees (`/_symphony/traces`, `/_symphony/traces/<id>`, and as text for a
 * terminal). Extensions are other processes: each span is checked before it is kept.
 */
import type { NatsConnection, Subscription } from "nats";
import { DEV_SPANS_SUBJECT, type FinishedSpan } from "@symphony-codegen/runtime";

export interface TraceSummary {
  traceId: string;
  /** The root span's name (the gateway's `GET /api/...`), or the earliest span's when the root is missing. */
  name: string;
  startTime: number;
  durationMs: number;
  spans: number;
  services: string[];
  error: boolean;
}

export interface SpanNode extends FinishedSpan {
  children: SpanNode[];
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const KINDS = new Set(["INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]);
const STATUSES = new Set(["UNSET", "OK", "ERROR"]);
const text = (v: unknown, max: number) => typeof v === "string" && v.length > 0 && v.length <= max;

/** `value` as a span when it is one (ids, kinds and sizes checked); attributes keep primitives only. */
export function asSpan(value: unknown): FinishedSpan | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const s = value as Record<string, unknown>;
  if (!text(s.traceId, 32) || !HEX32.test(s.traceId as string) || !text(s.spanId, 16) || !HEX16.test(s.spanId as string)) return undefined;
  if (s.parentSpanId !== undefined && !(text(s.parentSpanId, 16) && HEX16.test(s.parentSpanId as string))) return undefined;
  if (!text(s.name, 500) || !KINDS.has(s.kind as string) || !text(s.service, 100) || !STATUSES.has(s.status as string)) return undefined;
  if (!Number.isFinite(s.startTime) || !Number.isFinite(s.durationMs) || (s.durationMs as number) < 0) return undefined;
  const attributes: FinishedSpan["attributes"] = Object.create(null);
  if (typeof s.attributes === "object" && s.attributes !== null)
    for (const [k, v] of Object.entries(s.attributes).slice(0, 128))
      if (k.length <= 200 && (typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && v.length <= 2000))) attributes[k] = v;
  return {
    traceId: s.traceId as string,
    spanId: s.spanId as string,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId as string } : {}),
    name: s.name as string,
    kind: s.kind as FinishedSpan["kind"],
    service: s.service as string,
    ...(text(s.instance, 100) ? { instance: s.instance as string } : {}),
    startTime: s.startTime as number,
    durationMs: s.durationMs as number,
    status: s.status as FinishedSpan["status"],
    ...(text(s.statusMessage, 1000) ? { statusMessage: s.statusMessage as string } : {}),
    attributes,
  };
}

export class TraceStore {
  readonly #traces = new Map<string, FinishedSpan[]>();
  #sub?: Subscription;
  /** Spans refused as malformed (a misbehaving extension), for the log. */
  refused = 0;

  constructor(
    readonly maxTraces = 500,
    readonly maxSpansPerTrace = 1000,
  ) {}

  /** Starts keeping the spans extensions publish. */
  listen(nc: NatsConnection): void {
    this.#sub = nc.subscribe(`${DEV_SPANS_SUBJECT}.>`, {
      callback: (_err, msg) => {
        let span: FinishedSpan | undefined;
        try {
          span = asSpan(JSON.parse(msg.string()));
        } catch {
          span = undefined;
        }
        if (span) this.add(span);
        else this.refused++;
      },
    });
  }

  stop(): void {
    this.#sub?.unsubscribe();
  }

  add(span: FinishedSpan): void {
    let spans = this.#traces.get(span.traceId);
    if (!spans) {
      spans = [];
      this.#traces.set(span.traceId, spans);
      if (this.#traces.size > this.maxTraces) this.#traces.delete(this.#traces.keys().next().value!);
    }
    if (spans.length < this.maxSpansPerTrace) spans.push(span);
  }

  /** The newest traces first. */
  list(limit = 100): TraceSummary[] {
    return [...this.#traces.entries()]
      .slice(-limit)
      .reverse()
      .map(([traceId, spans]) => summarize(traceId, spans));
  }

  /** A trace's spans as trees (roots: spans whose parent is not in the trace), children by start time. */
  get(traceId: string): { summary: TraceSummary; roots: SpanNode[] } | undefined {
    const spans = this.#traces.get(traceId);
    return spans && { summary: summarize(traceId, spans), roots: treeOf(spans) };
  }
}

function summarize(traceId: string, spans: FinishedSpan[]): TraceSummary {
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.durationMs));
  const root = spans.find((s) => !s.parentSpanId || !spans.some((p) => p.spanId === s.parentSpanId)) ?? spans[0]!;
  return {
    traceId,
    name: root.name,
    startTime: start,
    durationMs: Math.round((end - start) * 1000) / 1000,
    spans: spans.length,
    services: [...new Set([...spans].sort((a, b) => a.startTime - b.startTime).map((s) => s.service))],
    error: spans.some((s) => s.status === "ERROR"),
  };
}

function treeOf(spans: FinishedSpan[]): SpanNode[] {
  const nodes = new Map(spans.map((s) => [s.spanId, { ...s, children: [] as SpanNode[] }]));
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentSpanId ? nodes.get(node.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.startTime - b.startTime;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** A trace as an indented text tree: service (@ the end of its instance id), span name, status code, offset and duration. */
export function formatTraceTree(roots: SpanNode[]): string {
  const t0 = Math.min(...roots.map((r) => r.startTime));
  const lines: string[] = [];
  const walk = (node: SpanNode, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? "" : last ? "└─ " : "├─ ";
    const status = node.attributes["http.response.status_code"];
    const where = node.instance ? `${node.service}@${node.instance.slice(-8)}` : node.service;
    lines.push(
      `${prefix}${branch}${where}  ${node.kind} ${node.name}${status === undefined ? "" : ` → ${status}`}${node.status === "ERROR" ? " ERROR" : ""}` +
        `  +${(node.startTime - t0).toFixed(1)} ms, ${node.durationMs.toFixed(1)} ms`,
    );
    const childPrefix = depth === 0 ? prefix : prefix + (last ? "   " : "│  ");
    node.children.forEach((c, i) => walk(c, childPrefix, i === node.children.length - 1, depth + 1));
  };
  roots.forEach((r) => walk(r, "", true, 0));
  return lines.join("\n");
}
