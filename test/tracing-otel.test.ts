/**
 * With an OpenTelemetry API registered in the process (what an SDK with an OTLP exporter does), a
 * handler's `ctx.span` is that SDK's span, continuing the request's `traceparent`, and is active
 * while the handler runs, so the typed client it calls propagates it without `{ parent }`.
 * Registered here through the real `@opentelemetry/api` with a tracer provider and a context
 * manager of ours; requests go through the generated local client (no NATS).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  context,
  ROOT_CONTEXT,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { callOperation, parseTraceparent, RecordingSpan, type Requester } from "@symphony-codegen/runtime";
import { resetOpenTelemetryCheck } from "@symphony-codegen/runtime/internal/core/trace-context.js";
import { createLocalClient, FindPets, operationTable, type Handlers } from "../examples/petstore/src/generated/index.js";

/** A context manager for synchronous code: `with` pushes, runs, pops. */
class StackContextManager implements ContextManager {
  #stack: Context[] = [];
  active(): Context {
    return this.#stack.at(-1) ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.#stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#stack = [];
    return this;
  }
}

const started: { name: string; span: Span; options: SpanOptions; parentTraceId?: string }[] = [];
const tracer: Tracer = {
  startSpan(name, options = {}, ctx) {
    const parent = ctx ? trace.getSpanContext(ctx) : undefined;
    const span = new RecordingSpan(name, options.kind ?? 0, parent);
    started.push({ name, span, options, parentTraceId: parent?.traceId });
    return span;
  },
  startActiveSpan: (() => {
    throw new Error("not used");
  }) as Tracer["startActiveSpan"],
};
const provider: TracerProvider = { getTracer: () => tracer };

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager());
  trace.setGlobalTracerProvider(provider);
  resetOpenTelemetryCheck();
});

afterAll(() => {
  trace.disable();
  context.disable();
  resetOpenTelemetryCheck();
});

describe("with OpenTelemetry registered", () => {
  it("ctx.span is the SDK's span, continues traceparent, is active in the handler; the client propagates it", async () => {
    const downstream: (string | undefined)[] = [];
    // A requester standing for another extension: records the envelope's traceparent.
    const other: Requester = {
      request: async (_subject, data) => {
        downstream.push(
          (JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data)) as { headers: Record<string, string> }).headers.traceparent,
        );
        return { data: new TextEncoder().encode(JSON.stringify([])) } as never;
      },
    } as Requester;
    let active: Span | undefined;
    let own: Span | undefined;
    const handlers: Handlers = {
      async findPets(_req, ctx) {
        active = trace.getActiveSpan();
        own = ctx.span;
        await callOperation(other, "other", operationTable[0]!, {}); // no { parent }: the active span is used
        return FindPets.ok([]);
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
    const client = createLocalClient(handlers);
    const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect((await client.findPets({}, { headers: { traceparent: caller } })).status).toBe(200);
    expect(started.map((s) => s.name)).toEqual(["GET /pets"]);
    expect(started[0]!.parentTraceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(started[0]!.options).toMatchObject({ kind: 1, attributes: { "http.route": "/pets", "symphony.operation": "findPets" } });
    expect(own).toBe(started[0]!.span);
    expect(active).toBe(own);
    expect(own!.isRecording()).toBe(false); // ended with the reply
    expect((own as RecordingSpan).attributes["http.response.status_code"]).toBe(200);
    const sent = parseTraceparent(downstream[0]);
    expect(sent).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: own!.spanContext().spanId });
  });
});
