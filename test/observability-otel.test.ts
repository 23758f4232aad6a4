/** The runtime writes out OpenTelemetry's span kinds and id rules instead of loading @opentelemetry/api: they must stay the same. */
import { describe, expect, it } from "vitest";
import { SpanKind as OtelSpanKind, isValidSpanId, isValidTraceId } from "@opentelemetry/api";
import { parseTraceparent, SpanKind } from "@symphony-codegen/runtime";

describe("OpenTelemetry compatibility without loading @opentelemetry/api", () => {
  it("span kinds have OpenTelemetry's values", () => {
    expect(SpanKind).toEqual({
      Internal: OtelSpanKind.INTERNAL,
      Server: OtelSpanKind.SERVER,
      Client: OtelSpanKind.CLIENT,
      Producer: OtelSpanKind.PRODUCER,
      Consumer: OtelSpanKind.CONSUMER,
    });
  });

  it("a traceparent is accepted exactly when OpenTelemetry's id checks accept its ids", () => {
    const traceIds = [
      "4bf92f3577b34da6a3ce929d0e0e4736",
      "4BF92F3577B34DA6A3CE929D0E0E4736",
      "0".repeat(32),
      "0".repeat(31) + "1",
      "4bf92f3577b34da6a3ce929d0e0e473",
      "g".repeat(32),
    ];
    const spanIds = ["00f067aa0ba902b7", "0".repeat(16), "0".repeat(15) + "1", "00f067aa0ba902b", "zzf067aa0ba902b7"];
    for (const traceId of traceIds)
      for (const spanId of spanIds) {
        const parsed = parseTraceparent(`00-${traceId}-${spanId}-01`);
        const valid = isValidTraceId(traceId.toLowerCase()) && isValidSpanId(spanId.toLowerCase());
        expect(parsed !== undefined, `${traceId} ${spanId}`).toBe(valid);
      }
  });
});
