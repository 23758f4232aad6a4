/**
 * Tracing with an OTLP exporter configured, as a user does it: OpenTelemetry's Node SDK
 * (`NodeTracerProvider.register()`: tracer, AsyncLocalStorage context, W3C propagator) exporting
 * over OTLP/HTTP to a collector (a local HTTP server standing for one). Two extensions on a real
 * nats-server; the first one's handler calls the second with the typed client and no `parent`:
 * the SDK's active context carries the trace. The collector gets both spans, parent-linked.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, propagation, trace } from "@opentelemetry/api";
import { NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { connect, type NatsConnection } from "nats";
import { Extension } from "@symphony-codegen/runtime";
import { resetOpenTelemetryCheck } from "@symphony-codegen/runtime/internal/core/trace-context.js";
import * as clock from "../examples/clock/src/extension.js";
import { createClient as clockClient } from "../examples/clock/src/generated/index.js";
import { createClient as petClient, FindPets, register as registerPetstore, type Handlers } from "../examples/petstore/src/generated/index.js";
import { Extensions } from "./helpers/extension.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let server: NatsServer;
let nc: NatsConnection;
let collector: Server;
let provider: NodeTracerProvider;
const received: OtlpSpan[] = [];
const extensions = new Extensions();

/** OTLP/JSON ids are hex; some encoders send base64: either way, hex here. */
const hex = (id: string | undefined) => (id === undefined || id === "" ? undefined : /^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, "base64").toString("hex"));

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))] });
  provider.register();
  resetOpenTelemetryCheck();

  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await extensions.start(clock.createExtension().withNatsUrl(server.url), clock.setup);
  await extensions.start(new Extension("Petstore", "petstore").withNatsUrl(server.url), async (ext) => {
    const handlers: Handlers = {
      async findPets() {
        // No `{ parent: ctx }`: the SDK's context holds this handler's span across the await.
        const time = await clockClient(ext.conn()!, "clock").getTime({ query: { tz: "UTC" } });
        return FindPets.ok(time.status === 200 ? [{ id: 1, name: time.body.timeZone }] : []);
      },
      addPet: () => {
        throw new Error("not used");
      },
      findPetById: () => {
        throw new Error("not used");
      },
      deletePet: () => {
        throw new Error("not used");
      },
    };
    await registerPetstore(ext, handlers);
  });
});

afterAll(async () => {
  await extensions.stopAll();
  await nc?.close();
  await server?.stop();
  await provider?.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  resetOpenTelemetryCheck();
  await new Promise((r) => collector?.close(r));
});

describe("with an OTLP exporter configured (OpenTelemetry's Node SDK)", () => {
  it("exports each extension's span to the collector, parent-linked across the typed client call", async () => {
    const caller = { traceId: "5b8efff798038103d269b633813fc60c", spanId: "eee19b7ec3c1b174" };
    const res = await petClient(nc, "petstore").findPets({}, { headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: 1, name: "UTC" }]);
    const deadline = Date.now() + 15_000;
    const ofTrace = () => received.filter((s) => hex(s.traceId) === caller.traceId);
    while (ofTrace().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const spans = ofTrace();
    const pet = spans.find((s) => s.name === "GET /pets")!;
    const clk = spans.find((s) => s.name === "GET /time")!;
    expect(pet, JSON.stringify(received).slice(0, 2000)).toBeDefined();
    expect(clk).toBeDefined();
    expect(hex(pet.parentSpanId)).toBe(caller.spanId);
    expect(hex(clk.parentSpanId)).toBe(hex(pet.spanId));
    expect([pet.kind, clk.kind]).toEqual([2, 2]); // OTLP's SPAN_KIND_SERVER
    const attribute = (s: OtlpSpan, key: string) => Object.values(s.attributes.find((a) => a.key === key)?.value ?? {})[0];
    expect(attribute(pet, "http.route")).toBe("/pets");
    expect(attribute(clk, "symphony.operation")).toBe("getTime");
    expect(Number(attribute(pet, "http.response.status_code"))).toBe(200);
  });
});
