/**
 * Issue 14 fixtures served through `symphony-codegen dev` (the CLI as a process, its gateway, a
 * real nats-server): routes ranked by specificity, not declaration order (fixtures/route-rank.yaml,
 * item 6), and operations whose names only sanitising would merge each reachable on their own
 * endpoint (fixtures/endpoint-names.yaml, item 2).
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { killStarted, leftNothing, startDev, type Running } from "./helpers/dev-cli.js";
import { Extensions } from "./helpers/extension.js";
import { ROOT } from "./helpers/specs.js";

const OUT = path.join(ROOT, "test/.tmp/gateway-routes");
const extensions = new Extensions();
let running: Running;
let names: Record<string, any>;

afterAll(killStarted);

/** Generates `fixture` and serves it under `prefix` on the dev's NATS with `handlers(gen)`. */
async function serve(fixture: string, prefix: string, handlers: (gen: Record<string, any>) => object): Promise<Record<string, any>> {
  const out = path.join(OUT, prefix);
  await generate(path.join(ROOT, "fixtures", fixture), { out });
  const gen = await import(pathToFileURL(path.join(out, "index.ts")).href);
  await extensions.start(new Extension(prefix, prefix).withNatsUrl(running.natsUrl), (e) => gen.register(e, handlers(gen)));
  return gen;
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as unknown };
};

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  running = await startDev();
  await serve("route-rank.yaml", "routes", (gen) => ({
    getVariant: ({ path: p }: any) => gen.GetVariant.ok({ route: "variant", ...p }),
    downloadVariant: ({ path: p }: any) => gen.DownloadVariant.ok({ route: "download", ...p }),
  }));
  names = await serve("endpoint-names.yaml", "names", (gen) => {
    const handlers: Record<string, unknown> = {};
    // Each handler answers with its own name: a request reaching the wrong endpoint shows.
    for (const op of gen.operationTable) handlers[op.handler] = () => ({ status: 200, body: op.handler });
    return handlers;
  });
}, 120_000);

afterAll(async () => {
  await extensions.stopAll();
  if (running) {
    process.kill(running.dev.pid, "SIGINT");
    await running.dev.exited;
    await leftNothing(running.nats);
  }
});

describe("the gateway, through the dev CLI", () => {
  it("routes a template with a literal suffix before a bare one declared first", async () => {
    const api = `${running.httpUrl}/api/routes/models/m1/variants`;
    // The gateway waits for a discovery round before a 404, so the first answer is already the route's.
    expect(await get(`${api}/7:download`)).toEqual({ status: 200, body: { route: "download", modelId: "m1", variantId: 7 } });
    expect(await get(`${api}/7`)).toEqual({ status: 200, body: { route: "variant", modelId: "m1", variantId: 7 } });
    // A variant id that is not an integer is still the bare route's 400, naming the parameter.
    const bad = await get(`${api}/x`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("variantId");
  });

  it("serves operations whose names only sanitising would merge, each on its own endpoint", async () => {
    const api = `${running.httpUrl}/api/names`;
    const answers: Record<string, unknown> = {};
    for (const p of ["/users", "/users/~", "/dash", "/underscore", "/dot", "/plain", "/space", "/wild"]) {
      const res = await get(api + p);
      expect(res.status, p).toBe(200);
      answers[p] = res.body;
    }
    // Each path reached its own operation, every one a different endpoint.
    const table: { path: string; handler: string; endpoint: string }[] = names.operationTable;
    expect(answers).toEqual(Object.fromEntries(table.map((op) => [op.path, op.handler])));
    expect(new Set(table.map((op) => op.endpoint)).size).toBe(table.length);
  });
});
