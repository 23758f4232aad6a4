/** Observability: metrics, logs and traces endpoints of a running extension, through a real nats-server and the local platform. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headers as natsHeaders, ServiceError, type Msg } from "nats";
import { Extension, Observability, SpanKind, parseTraceparent, type Logger, type LogRecord, type MetricsSnapshot, type RecordsSnapshot, type SpanRecord } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

let dev: DevPlatform;
let ext: Extension;
let done: Promise<void>;
let obs: Observability;
let log: Logger;
const stdout: string[] = [];

const PREFIX = "observed";
const api = (path: string) => `${dev.httpUrl}/api/${PREFIX}${path}`;

async function ask<T>(endpoint: "metrics" | "logs" | "traces", body: unknown = {}): Promise<T> {
  const reply = await dev.nc.request(`cirata.extensions.${PREFIX}.observability.${endpoint}`, JSON.stringify(body), { timeout: 2000 });
  return JSON.parse(new TextDecoder().decode(reply.data)) as T;
}

beforeAll(async () => {
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  ext = new Extension("Observed", PREFIX).withToken(dev.token).withStatusInterval(200);
  const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
  let ready!: () => void;
  let failed!: (e: unknown) => void;
  const up = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  done = ext.runWithSetup(async (e) => {
    const service = await register(e, {
      ...store,
      async findPets(req, ctx) {
        const span = obs.startChildSpanFromRequest("findPets", SpanKind.Server, ctx.request);
        obs.incrementCounter("requests.total", 1, { operation: "findPets" });
        log.info("listing pets", { headers: ctx.request.headers, trace_id: span.traceId });
        const reply = await store.findPets(req, ctx);
        obs.endSpan(span, { "http.method": ctx.request.method, "http.status_code": reply.status });
        return reply;
      },
    });
    obs = await Observability.enable(service, PREFIX, { write: (line) => stdout.push(line) });
    log = obs.logCapture({ component: "test" });

    // A plain NATS endpoint: the trace context arrives as a NATS header.
    const raw = await e.addEndpoints("Raw", "1.0.0", "Raw NATS endpoint");
    raw.addGroup(`cirata.extensions.${PREFIX}.raw`).addEndpoint("ping", (_err, msg: Msg) => {
      const span = obs.startChildSpanFromRequest("ping", SpanKind.Consumer, msg);
      obs.endSpan(span, { "messaging.system": "nats" });
      msg.respond(JSON.stringify({ traceparent: obs.traceparent(span) }));
    });
    await e.conn()!.flush();
    ready();
  });
  done.catch(failed);
  await up;
});

afterAll(async () => {
  ext?.stop();
  await done?.catch(() => {});
  await dev?.stop();
});

describe("metrics endpoint", () => {
  it("shows counters incremented by handlers and directly, per attribute set", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(api("/pets"));
      expect(res.status).toBe(200);
    }
    obs.incrementCounter("bytes.processed", 2.5);
    obs.incrementCounter("bytes.processed");
    obs.incrementCounter("requests.total", 4, { operation: "other" });
    const metrics = await ask<MetricsSnapshot>("metrics");
    expect(metrics.prefix).toBe(PREFIX);
    expect(metrics.instance).toMatch(/\w+/);
    expect(Date.parse(metrics.timestamp)).not.toBeNaN();
    expect(metrics.counters).toContainEqual({ name: "requests.total", value: 3, attributes: { operation: "findPets" } });
    expect(metrics.counters).toContainEqual({ name: "requests.total", value: 4, attributes: { operation: "other" } });
    expect(metrics.counters).toContainEqual({ name: "bytes.processed", value: 3.5, attributes: {} });
    expect(obs.counter("requests.total")).toBe(7);
  });

  it("refuses a non-finite increment", () => {
    expect(() => obs.incrementCounter("x", Number.NaN)).toThrow(/finite/);
  });
});

describe("traces endpoint", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const parentId = "00f067aa0ba902b7";

  it("records a server span in the trace of an HTTP request through the gateway, parented to the gateway's span", async () => {
    const before = (await ask<RecordsSnapshot<SpanRecord>>("traces")).next;
    const res = await fetch(api("/pets?limit=1"), { headers: { traceparent: `00-${traceId}-${parentId}-01` } });
    expect(res.status).toBe(200);
    // The gateway's own span continues the caller's and is the extension's parent (its id in `traceresponse`).
    const gateway = parseTraceparent(res.headers.get("traceresponse"))!;
    expect(gateway.traceId).toBe(traceId);
    const traces = await ask<RecordsSnapshot<SpanRecord>>("traces", { since: before });
    expect(traces.records).toHaveLength(1);
    const span = traces.records[0]!;
    expect(span).toMatchObject({ name: "findPets", kind: "SERVER", traceId, parentSpanId: gateway.spanId, traceFlags: 1, status: { code: "OK" } });
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toBe(parentId);
    expect(span.attributes).toEqual({ "http.method": "GET", "http.status_code": 200 });
    expect(Date.parse(span.endTime)).toBeGreaterThanOrEqual(Date.parse(span.startTime));
    expect(span.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("continues a trace from a NATS message header, and starts a new trace without one", async () => {
    const before = (await ask<RecordsSnapshot<SpanRecord>>("traces")).next;
    const h = natsHeaders();
    h.set("traceparent", `00-${traceId}-${parentId}-00`);
    const reply = await dev.nc.request(`cirata.extensions.${PREFIX}.raw.ping`, "{}", { timeout: 2000, headers: h });
    const propagated = parseTraceparent((JSON.parse(new TextDecoder().decode(reply.data)) as { traceparent: string }).traceparent);
    expect(propagated?.traceId).toBe(traceId);
    await dev.nc.request(`cirata.extensions.${PREFIX}.raw.ping`, "{}", { timeout: 2000 });

    const traces = await ask<RecordsSnapshot<SpanRecord>>("traces", { since: before });
    expect(traces.records.map((s) => s.name)).toEqual(["ping", "ping"]);
    const [child, root] = traces.records as [SpanRecord, SpanRecord];
    expect(child).toMatchObject({ kind: "CONSUMER", traceId, parentSpanId: parentId, traceFlags: 0, spanId: propagated!.spanId });
    expect(root.parentSpanId).toBeUndefined();
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.traceId).not.toBe(traceId);
    // `since` pages: nothing newer than the last sequence number.
    expect((await ask<RecordsSnapshot<SpanRecord>>("traces", { since: traces.next })).records).toEqual([]);
  });

  it("ignores a malformed traceparent and answers a malformed query with a service error", async () => {
    expect(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBeUndefined();
    expect(parseTraceparent("zz-nope")).toBeUndefined();
    const span = obs.startChildSpanFromRequest("x", SpanKind.Internal, { headers: { traceparent: "garbage" } });
    expect(span.parentSpanId).toBeUndefined();
    const reply = await dev.nc.request(`cirata.extensions.${PREFIX}.observability.traces`, "{not json", { timeout: 2000 });
    expect(ServiceError.toServiceError(reply)?.code).toBe(400);
  });
});

describe("logs endpoint", () => {
  it("returns captured records with timestamp, level and message, and never the token", async () => {
    const before = (await ask<RecordsSnapshot<LogRecord>>("logs")).next;
    const res = await fetch(api("/pets"), { headers: { authorization: `Bearer ${dev.token}`, "x-request-id": "abc" } });
    expect(res.status).toBe(200);
    log.warn(`token was ${dev.token}`, { token: dev.token, detail: { password: "hunter2", note: "visible" } });
    log.error("failed", { error: new Error("boom") });

    const logs = await ask<RecordsSnapshot<LogRecord>>("logs", { since: before });
    expect(logs.records.map((r) => [r.level, r.message])).toEqual([
      ["info", "listing pets"],
      ["warn", "token was [redacted]"],
      ["error", "failed"],
    ]);
    for (const r of logs.records) {
      expect(Date.parse(r.timestamp)).not.toBeNaN();
      expect(r).toMatchObject({ extension: PREFIX, component: "test" });
    }
    const listing = logs.records[0]!;
    expect((listing.headers as Record<string, string>)["x-request-id"]).toBe("abc");
    expect((listing.headers as Record<string, string>).authorization).toBe("[redacted]");
    expect(logs.records[1]).toMatchObject({ token: "[redacted]", detail: { password: "[redacted]", note: "visible" } });
    expect(logs.records[2]).toMatchObject({ error: { name: "Error", message: "boom" } });

    const text = JSON.stringify(logs);
    expect(text).not.toContain(dev.token);
    expect(text).not.toContain(dev.token.slice(4));
    expect(text).not.toContain("hunter2");
    // The same records went to stdout, equally clean.
    const written = stdout.slice(-3).map((l) => JSON.parse(l) as LogRecord);
    expect(written.map((r) => r.message)).toEqual(["listing pets", "token was [redacted]", "failed"]);
    expect(stdout.join("\n")).not.toContain(dev.token);
  });

  it("honours limit and keeps a bounded buffer", async () => {
    const limited = await ask<RecordsSnapshot<LogRecord>>("logs", { limit: 1 });
    expect(limited.records).toHaveLength(1);
    expect(limited.records[0]!.seq).toBe(1);

    const service = await ext.addEndpoints("Bounded", "1.0.0", "bounded buffers");
    const small = await Observability.enable(service, "bounded", { maxLogRecords: 2, write: () => {} });
    const logger = small.logCapture();
    for (let i = 1; i <= 5; i++) logger.info(`line ${i}`);
    const reply = await dev.nc.request("cirata.extensions.bounded.observability.logs", "", { timeout: 2000 });
    const snapshot = JSON.parse(new TextDecoder().decode(reply.data)) as RecordsSnapshot<LogRecord>;
    expect(snapshot).toMatchObject({ prefix: "bounded", next: 5, dropped: 3 });
    expect(snapshot.records.map((r) => [r.seq, r.message])).toEqual([
      [4, "line 4"],
      [5, "line 5"],
    ]);
  });
});
