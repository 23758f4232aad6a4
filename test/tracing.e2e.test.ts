/**
 * Distributed tracing as users meet it under `symphony-codegen dev`: an HTTP request through the
 * gateway to one extension, whose handler calls a second extension with the typed client. One
 * trace comes out, gateway → petstore → clock, each span the child of the one before, in the
 * platform's trace view. Real nats-server, dev platform, generated code of two examples.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, parseTraceparent, type FinishedSpan } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import type { SpanNode } from "../dev/traces.js";
import { createClient as clockClient } from "../examples/clock/src/generated/index.js";
import * as clock from "../examples/clock/src/extension.js";
import { AddPet, FindPets, register as registerPetstore, type Handlers as PetHandlers } from "../examples/petstore/src/generated/index.js";
import { Extensions } from "./helpers/extension.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, "..", process.env.SCREENSHOTS ?? "test/.tmp/console");
let dev: DevPlatform;
const extensions = new Extensions();
/** What the petstore handler saw of the envelope's trace headers. */
const seen: { traceparent?: string; tracestate?: string }[] = [];

beforeAll(async () => {
  // What `dev --run` sets for an extension: its request spans are published for the trace view.
  process.env.SYMPHONY_DEV = "1";
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  await extensions.start(clock.createExtension().withToken(dev.token), clock.setup);
  const petstore = new Extension("Petstore", "petstore").withToken(dev.token);
  await extensions.start(petstore, async (ext) => {
    const handlers: PetHandlers = {
      async findPets(_req, ctx) {
        seen.push({ traceparent: ctx.request.headers.traceparent, tracestate: ctx.request.headers.tracestate });
        ctx.span.setAttribute("pets.source", "clock");
        const time = await clockClient(ext.conn()!, "clock").getTime({ query: { tz: "UTC" } }, { parent: ctx });
        return FindPets.ok(time.status === 200 ? [{ id: time.body.epochMs, name: "Rex" }] : []);
      },
      addPet() {
        throw new Error("the kennel is full");
      },
      findPetById() {
        throw new Error("not used");
      },
      deletePet() {
        throw new Error("not used");
      },
    };
    await registerPetstore(ext, handlers);
  });
});

afterAll(async () => {
  await extensions.stopAll();
  await dev?.stop();
  delete process.env.SYMPHONY_DEV;
});

/** The trace's spans once `count` have arrived (extensions publish theirs over NATS). */
async function spansOf(traceId: string, count: number): Promise<FinishedSpan[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const trace = dev.traces.get(traceId);
    const spans = trace ? flatten(trace.roots) : [];
    if (spans.length >= count || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const flatten = (nodes: SpanNode[]): SpanNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${dev.httpUrl}${path}`, { headers });

describe("tracing: gateway → extension → typed client → extension", () => {
  it("one trace, each span the child of the one before, in the trace view", async () => {
    const res = await get("/api/petstore/pets");
    expect(res.status).toBe(200);
    const gateway = parseTraceparent(res.headers.get("traceresponse"))!;
    expect(gateway).toBeDefined();
    const spans = await spansOf(gateway.traceId, 3);
    expect(spans.map((s) => `${s.service} ${s.kind} ${s.name}`)).toEqual([
      "gateway SERVER GET /api/petstore/pets",
      "petstore SERVER GET /pets",
      "clock SERVER GET /time",
    ]);
    const [g, pet, clk] = spans as [FinishedSpan, FinishedSpan, FinishedSpan];
    expect(g.spanId).toBe(gateway.spanId);
    expect(g.parentSpanId).toBeUndefined();
    expect(pet.parentSpanId).toBe(g.spanId);
    expect(clk.parentSpanId).toBe(pet.spanId);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([gateway.traceId]));
    expect(pet.attributes).toMatchObject({ "pets.source": "clock", "http.route": "/pets", "http.response.status_code": 200, "symphony.operation": "findPets" });
    expect(clk.attributes).toMatchObject({ "http.route": "/time", "http.response.status_code": 200 });
    expect(pet.instance).toMatch(/^[A-Z0-9]{22}$/);
    // Timing nests: a child starts after and ends before its parent (with a millisecond of slack between processes' clocks: the same process here).
    expect(clk.startTime).toBeGreaterThanOrEqual(pet.startTime);
    expect(clk.startTime + clk.durationMs).toBeLessThanOrEqual(pet.startTime + pet.durationMs + 1);
    // The extension saw the gateway's span as its parent.
    expect(parseTraceparent(seen.at(-1)!.traceparent)).toMatchObject({ traceId: gateway.traceId, spanId: g.spanId });

    const list = (await (await get("/_symphony/traces")).json()) as { traces: { traceId: string; services: string[]; spans: number }[] };
    expect(list.traces.find((t) => t.traceId === gateway.traceId)).toMatchObject({ services: ["gateway", "petstore", "clock"], spans: 3 });
    const text = await (await get(`/_symphony/traces/${gateway.traceId}.txt`)).text();
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^gateway {2}SERVER GET \/api\/petstore\/pets → 200 {2}\+0\.0 ms, [\d.]+ ms$/);
    expect(lines[1]).toMatch(/^└─ petstore@\w{8} {2}SERVER GET \/pets → 200 {2}\+[\d.]+ ms, [\d.]+ ms$/);
    expect(lines[2]).toMatch(/^ {3}└─ clock@\w{8} {2}SERVER GET \/time → 200 /);
    console.log(`trace ${gateway.traceId}:\n${text}`);

    // The same tree as a page, in chromium: three rows nested by depth, a waterfall bar each.
    const html = await get(`/_symphony/traces/${gateway.traceId}.html`);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    if (!existsSync(CHROMIUM)) expect.fail(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 360 } });
      await page.goto(`${dev.httpUrl}/_symphony/traces/${gateway.traceId}.html`);
      const rows = page.locator("tr[data-span]");
      expect(await rows.count()).toBe(3);
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-span")))).toEqual(spans.map((s) => s.spanId));
      const indents = await rows.evaluateAll((trs) => trs.map((tr) => parseFloat((tr.firstElementChild as unknown as { style: { paddingLeft: string } }).style.paddingLeft)));
      expect(indents[0]! < indents[1]! && indents[1]! < indents[2]!).toBe(true);
      expect(await page.locator(".bar").count()).toBe(3);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "trace.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("continues the caller's trace context (traceparent, tracestate) and ignores an invalid one", async () => {
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await get("/api/petstore/pets", { traceparent: caller, tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7" });
    const gateway = parseTraceparent(res.headers.get("traceresponse"))!;
    expect(gateway.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const spans = await spansOf(gateway.traceId, 3);
    expect(spans[0]!.parentSpanId).toBe("00f067aa0ba902b7");
    expect(seen.at(-1)!.tracestate).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    for (const invalid of [
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "zz",
      `00-${"a".repeat(32)}-${"b".repeat(16)}-01-extra`,
      "x".repeat(10_000),
    ]) {
      const r = await get("/api/petstore/pets", { traceparent: invalid });
      expect(r.status).toBe(200);
      const fresh = parseTraceparent(r.headers.get("traceresponse"))!;
      expect(fresh.traceId).not.toBe("00000000000000000000000000000000");
      expect((await spansOf(fresh.traceId, 1))[0]!.parentSpanId, invalid.slice(0, 40)).toBeUndefined();
    }
  });

  it("a handler that throws: the extension's span and the gateway's are errors with the 500", async () => {
    const res = await fetch(`${dev.httpUrl}/api/petstore/pets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Rex" }),
    });
    expect(res.status).toBe(500);
    const { traceId } = parseTraceparent(res.headers.get("traceresponse"))!;
    const spans = await spansOf(traceId, 2);
    expect(spans.map((s) => [s.service, s.status, s.attributes["http.response.status_code"]])).toEqual([
      ["gateway", "ERROR", 500],
      ["petstore", "ERROR", 500],
    ]);
  });

  it("a request the extension rejects (400) is traced too; the view refuses malformed spans", async () => {
    const res = await get("/api/petstore/pets?limit=many");
    expect(res.status).toBe(400);
    const { traceId } = parseTraceparent(res.headers.get("traceresponse"))!;
    const spans = await spansOf(traceId, 2);
    expect(spans[1]).toMatchObject({ service: "petstore", status: "UNSET", attributes: { "http.response.status_code": 400 } });

    const refused = dev.traces.refused;
    for (const bad of [
      "{",
      JSON.stringify({ traceId: "nope" }),
      JSON.stringify({ ...spans[1], spanId: "x".repeat(16) }),
      JSON.stringify({ ...spans[1], name: "" }),
    ])
      dev.nc.publish("symphony.dev.spans.petstore", bad);
    dev.nc.publish("symphony.dev.spans.petstore", JSON.stringify({ ...spans[1], spanId: "0123456789abcdef", name: "<img src=x onerror=alert(1)>" }));
    await dev.nc.flush();
    const deadline = Date.now() + 5000;
    while (dev.traces.refused < refused + 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(dev.traces.refused).toBe(refused + 4);
    expect((await spansOf(traceId, 3)).map((s) => s.name)).toContain("<img src=x onerror=alert(1)>");
    const page = await (await get(`/_symphony/traces/${traceId}.html`)).text();
    expect(page).toContain("&#60;img src=x onerror=alert(1)&#62;");
    expect(page).not.toContain("<img");
    expect((await get("/_symphony/traces/0123456789abcdef0123456789abcdef")).status).toBe(404);
  });
});
