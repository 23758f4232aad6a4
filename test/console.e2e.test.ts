/**
 * The dev web page's live console in a real browser (Debian's chromium driven by playwright-core)
 * against a real dev platform (startDev: nats-server, platform services, gateway) and real
 * extensions (the petstore example under two prefixes): requests appear as they are made, a 400
 * shows with the field it names, filters hide other extensions and status classes, instances go
 * stale and gone from their heartbeats, a route opens Swagger UI at its operation, and hostile
 * strings stay text. Each view is saved to test/.tmp/console/*.png (`SCREENSHOTS=docs/console`
 * refreshes the committed ones: a plain run leaves the work tree as it was).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, SUBJECTS } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { exitWithin, killStarted, leftNothing, startDev as startCliDev, until, type Exit } from "./helpers/dev-cli.js";
import { Extensions } from "./helpers/extension.js";
import type { RequestEntry } from "../dev/console.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, "..", process.env.SCREENSHOTS ?? "test/.tmp/console");
const MISSING = `Chromium not found at ${CHROMIUM}: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`;

let dev: DevPlatform;
const extensions: { ext: Extension; running: Promise<void> }[] = [];
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** Starts the petstore example under `prefix` and waits until its handlers are registered. */
async function startPetstore(prefix: string, name: string): Promise<Extension> {
  const ext = new Extension(name, prefix).withToken(dev.token);
  const registered = new Promise<void>((resolve, reject) => {
    const running = ext.runWithSetup(async (e) => {
      await register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }]));
      resolve();
    });
    running.catch(reject);
    extensions.push({ ext, running });
  });
  await registered;
  return ext;
}

/** The gateway's answer to `init` at `/api<apiPath>`, made outside the browser (after the page is open). */
const call = (apiPath: string, init?: RequestInit) => fetch(`${dev.httpUrl}/api${apiPath}`, init);

/** The console's entry for the latest request to `path`, from the JSON backlog. */
async function logged(pathname: string): Promise<RequestEntry> {
  const { requests } = (await (await fetch(`${dev.httpUrl}/_symphony/requests`)).json()) as { requests: RequestEntry[] };
  const entry = requests.filter((r) => r.path === pathname).at(-1);
  if (!entry) throw new Error(`no request to ${pathname} in the log`);
  return entry;
}

/** Waits for a value the page shows; bounded generously: what it waits on is a stream tick or a discovery round, not machine speed. */
const poll = <T>(fn: () => Promise<T> | T, timeout = 20_000) => expect.poll(fn, { timeout, interval: 50 });
const cells = (seq: number) => page.locator(`#requests tbody tr[data-seq="${seq}"] td`).allInnerTexts();
const shot = async (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

async function launch(): Promise<Page | undefined> {
  if (!existsSync(CHROMIUM)) return undefined; // every browser test below then fails (not skips) with MISSING
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const p = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  p.setDefaultTimeout(15_000);
  p.on("pageerror", (err) => pageErrors.push(err.message));
  return p;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  page = (await launch())!;
});

afterAll(async () => {
  killStarted();
  await browser?.close();
  for (const { ext, running } of extensions) {
    ext.stop();
    await running.catch(() => undefined);
  }
  await dev?.stop();
});

describe("dev console in chromium", () => {
  it(`finds chromium at ${CHROMIUM}`, () => {
    expect(existsSync(CHROMIUM), MISSING).toBe(true);
    expect(browser?.isConnected()).toBe(true);
  });

  it("works with no extension yet: every view says it is empty", async () => {
    if (!page) throw new Error(MISSING);
    await page.goto(`${dev.httpUrl}/`);
    await poll(() => page.locator("#stream-state").innerText()).toBe("live");
    await poll(() => page.locator("#extensions tbody").innerText()).toBe("none yet");
    expect(await page.locator("#requests tbody").innerText()).toBe("no request yet");
    expect(await page.locator("#problems").innerText()).toBe("No problems.");
    await poll(() => page.locator("#services").innerText()).toBe("No services discovered.");
    await shot("empty");
  });

  it("shows requests made after the page is open, live, with their fields", async () => {
    if (!page) throw new Error(MISSING);
    await startPetstore("petstore", "Petstore");
    await startPetstore("other", "Other");
    // Routes are known once discovery found both services.
    await poll(() => page.locator("#services h3").count()).toBe(2);
    expect(await page.locator("#stream-state").innerText()).toBe("live");

    expect((await call("/petstore/pets/1")).status).toBe(200);
    const entry = await logged("/api/petstore/pets/1");
    const instanceId = dev.gateway.services().find((s) => s.prefix === "petstore")!.instanceIds[0]!;
    expect(entry).toMatchObject({ method: "GET", status: 200, prefix: "petstore", endpoint: "findPetById", instance: instanceId });
    // The page was not reloaded: the row came over the stream.
    await poll(() => cells(entry.seq)).toEqual([
      entry.time.slice(11, 23),
      "GET",
      "/api/petstore/pets/1",
      "200",
      String(entry.ms),
      "petstore",
      "findPetById",
      instanceId,
      entry.traceId!.slice(0, 8),
    ]);
    // The endpoint links to its operation in the API reference.
    expect(await page.locator(`#requests tr[data-seq="${entry.seq}"] a`).first().getAttribute("href")).toBe(
      "/_symphony/docs/petstore/Swagger_Petstore#/default/findPetById",
    );
    // The trace id links to the trace: the gateway's span, and the extension's below it.
    expect(entry.traceId).toMatch(/^[0-9a-f]{32}$/);
    const traceLink = page.locator(`#requests tr[data-seq="${entry.seq}"] a`).last();
    expect(await traceLink.getAttribute("href")).toBe(`/_symphony/traces/${entry.traceId}.html`);
    const tracePage = await page.context().browser()!.newPage();
    try {
      await tracePage.goto(`${dev.httpUrl}/_symphony/traces/${entry.traceId}.html`);
      expect(await tracePage.locator("h1").innerText()).toBe(`Trace ${entry.traceId}`);
      expect(await tracePage.locator("tr[data-span] .service").first().innerText()).toBe("gateway");
    } finally {
      await tracePage.close();
    }

    // Nothing secret is kept: no query string, no headers, no body.
    expect((await call("/petstore/pets?api_key=s3cret&limit=1", { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
    const listed = await logged("/api/petstore/pets");
    expect(JSON.stringify(listed)).not.toContain("s3cret");
    expect(Object.keys(listed).sort()).toEqual(
      ["endpoint", "instance", "method", "ms", "path", "prefix", "seq", "status", "time"].concat(listed.traceId ? ["traceId"] : []).sort(),
    );
    await poll(() => page.locator(`#requests tr[data-seq="${listed.seq}"] td.path`).innerText()).toBe("/api/petstore/pets");
    await shot("requests");
  });

  it("a 400 shows in problems with the field it names", async () => {
    if (!page) throw new Error(MISSING);
    const res = await call("/petstore/pets", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tag: "cat" }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: string; errors: { pointer: string }[] };
    expect(body.errors.map((e) => e.pointer)).toContain("/name");
    const entry = await logged("/api/petstore/pets");
    expect(entry.problem).toMatchObject({ title: "Bad Request", detail: body.detail });

    const card = page.locator(`#problems .problem[data-seq="${entry.seq}"]`);
    await card.waitFor();
    expect(await card.locator("strong").innerText()).toBe("400");
    expect(await card.locator(".title").innerText()).toBe(`Bad Request: ${body.detail}`);
    const errors = await card.locator(".errors li").allInnerTexts();
    expect(errors.some((e) => e.startsWith("body /name "))).toBe(true);
    await card.scrollIntoViewIfNeeded();
    await shot("problems");
  });

  it("filters by extension and by status class", async () => {
    if (!page) throw new Error(MISSING);
    expect((await call("/other/pets/1")).status).toBe(200);
    expect((await call("/other/pets/999")).status).toBe(404);
    const other = await logged("/api/other/pets/999");
    await page.locator(`#requests tr[data-seq="${other.seq}"]`).waitFor();
    const prefixes = () => page.locator("#requests tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-prefix")));
    expect(new Set(await prefixes())).toEqual(new Set(["petstore", "other"]));

    await page.selectOption("#filter-prefix", "other");
    await poll(prefixes).toEqual(["other", "other"]);
    expect(await page.locator("#extensions tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-prefix")))).toEqual(["other"]);
    expect(await page.locator("#services section").evaluateAll((s) => s.map((e) => e.getAttribute("data-prefix")))).toEqual(["other"]);
    expect(await page.locator("#problems .problem").evaluateAll((s) => s.map((e) => e.getAttribute("data-prefix")))).toEqual(["other"]);

    // The petstore's own 404 body (not problem+json) is shown as it came.
    expect(await page.locator(`#problems .problem[data-seq="${other.seq}"] .body`).innerText()).toMatch(/^\{"code":404,"message":".+"\}$/);
    await page.selectOption("#filter-status", "4xx");
    await poll(() => page.locator("#requests tbody tr td:nth-child(4)").allInnerTexts()).toEqual(["404"]);
    expect(await page.locator("#request-count").innerText()).toMatch(/^1 of \d+$/);
    await shot("filtered");

    // A request arriving while filtered shows only when it matches.
    expect((await call("/petstore/pets/999")).status).toBe(404);
    expect((await call("/other/pets/998")).status).toBe(404);
    await poll(() => page.locator("#requests tbody tr td:nth-child(3)").allInnerTexts()).toEqual(["/api/other/pets/998", "/api/other/pets/999"]);

    await page.selectOption("#filter-prefix", "");
    await page.selectOption("#filter-status", "");
    await poll(() => prefixes().then((p) => new Set(p))).toEqual(new Set(["petstore", "other"]));
  });

  it("shows hostile strings as text, never markup", async () => {
    if (!page) throw new Error(MISSING);
    const hostile = `<img src=x onerror="window.__pwned=1">`;
    // The id reaches the extension decoded; it answers 400 (not an integer), echoing nothing as markup.
    expect((await call(`/petstore/pets/${encodeURIComponent(hostile)}`)).status).toBe(400);
    expect((await call(`/${encodeURIComponent("<b>x</b>")}/pets`)).status).toBe(404);
    await poll(() => page.locator("#requests tbody tr td:nth-child(3)").allInnerTexts()).toContain(`/api/petstore/pets/${hostile}`);
    await poll(() => page.locator("#requests tbody tr td:nth-child(3)").allInnerTexts()).toContain("/api/<b>x</b>/pets");
    await poll(() => page.locator("#problems code.path").allInnerTexts()).toContain(`/api/petstore/pets/${hostile}`);
    // The parameter is named, the value echoed as text.
    expect(await page.locator("#problems .errors li").allInnerTexts()).toContain(`path id expected integer, got ${JSON.stringify(hostile)}`);
    expect(await page.locator("#requests img, #problems img, #requests b, #problems b, #filter-prefix b").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("shows each instance's heartbeat state: running, stale when overdue, gone when expired or stopped", async () => {
    if (!page) throw new Error(MISSING);
    const row = (id: string) => page.locator(`#extensions tbody tr[data-id="${id}"] td:nth-child(4)`);
    const petstore = dev.platform.instances().find((i) => i.prefix === "petstore")!;
    await poll(() => row(petstore.id).innerText()).toBe("running");

    // A real registration and real status messages on NATS: an instance declaring a 3 s period that
    // beats while the test waits to see it running, then falls silent (stale after 4.5 s, expired at 9 s).
    const nc: NatsConnection = await connect({ servers: dev.natsUrl });
    try {
      const entry = {
        id: "ghost-1",
        name: "Ghost",
        prefix: "ghost",
        description: "",
        statusInterval: 3,
        capabilities: [],
        resources: [],
        routes: [],
        menus: [],
        widgets: [],
        buckets: [],
      };
      const reply = JSON.parse(new TextDecoder().decode((await nc.request(SUBJECTS.register, JSON.stringify(entry))).data)) as { ok: boolean };
      expect(reply.ok).toBe(true);
      const beat = setInterval(
        () => nc.publish(SUBJECTS.status, JSON.stringify({ id: "ghost-1", prefix: "ghost", status: "running", timestamp: new Date().toISOString() })),
        500,
      );
      try {
        await poll(() => row("ghost-1").innerText()).toBe("running");
      } finally {
        clearInterval(beat);
      }
    } finally {
      await nc.close();
    }
    await poll(() => row("ghost-1").innerText()).toBe("stale");
    await page.locator(`#extensions tr[data-id="ghost-1"]`).scrollIntoViewIfNeeded();
    await shot("instances-stale");
    await poll(() => row("ghost-1").innerText()).toBe("gone (expired)");

    // A stopped extension says so: gone at once.
    const other = dev.platform.instances().find((i) => i.prefix === "other" && i.state === "running")!;
    extensions.find(({ ext }) => ext.prefix === "other")!.ext.stop();
    await poll(() => row(other.id).innerText()).toBe("gone (disconnected)");
    expect(await row(petstore.id).innerText()).toBe("running");
    await shot("instances");
  });

  it("a route click opens the API reference at that operation", async () => {
    if (!page) throw new Error(MISSING);
    const route = page.locator("#services section[data-prefix=petstore] a.route", { hasText: /^\/api\/petstore\/pets\/\{id\}$/ });
    expect(await route.count()).toBe(2); // GET and DELETE
    await page.locator("#services section[data-prefix=petstore] tr", { hasText: "DELETE" }).locator("a.route").click();
    await page.waitForURL(`${dev.httpUrl}/_symphony/docs/petstore/Swagger_Petstore#/default/deletePet`);
    const op = page.locator("#operations-default-deletePet");
    // Swagger UI opened that operation (and only it) from the deep link.
    await poll(() => op.getAttribute("class")).toMatch(/\bis-open\b/);
    expect(await page.locator(".opblock.is-open").count()).toBe(1);
    expect(await op.locator(".opblock-summary-path").innerText()).toBe("/pets/{id}");
    await shot("docs-operation");
    expect(pageErrors).toEqual([]);
  });
});

/** The console's event stream read as a plain HTTP client: every event so far, and the end of the stream. */
async function follow(url: string): Promise<{ events: { event: string; data: unknown }[]; ended: Promise<void> }> {
  const res = await fetch(url);
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const events: { event: string; data: unknown }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = "";
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += chunk.value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { events, ended };
}

describe("console stream of `symphony-codegen dev` (the CLI as a process)", () => {
  it("streams each request as the gateway logged it; Ctrl-C with a page following still stops at once", async () => {
    const running = await startCliDev();
    const extensions = new Extensions();
    try {
      const stream = await follow(`${running.httpUrl}/_symphony/requests/stream`);
      await until("the backlog", () => stream.events[0]);
      expect(stream.events[0]).toEqual({ event: "backlog", data: { requests: [], problems: [], instances: [], services: [] } });

      const petstore = new Extension("Petstore", "petstore").withNatsUrl(running.natsUrl);
      await extensions.start(petstore, (e) => register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }])));
      expect((await fetch(`${running.httpUrl}/api/petstore/pets/1?api_key=s3cret`)).status).toBe(200);
      const streamed = (await until("the request event", () => stream.events.find((e) => e.event === "request")))!.data as RequestEntry;
      const logged = await until("the gateway's log record", () => running.dev.records().find((r) => r.message === "gateway request"));
      // The same record: what the log says is what the page shows (trace id included once the gateway sets one).
      const { timestamp: _t, level: _l, message: _m, component: _c, ...fields } = logged;
      expect(streamed).toEqual({ ...fields, seq: 1, time: expect.any(String) });
      expect(streamed).toMatchObject({ method: "GET", path: "/api/petstore/pets/1", status: 200, prefix: "petstore", endpoint: "findPetById" });
      expect(JSON.stringify(streamed)).not.toContain("s3cret");
      // Instance states arrive every second.
      await until("the instance state", () =>
        stream.events.find((e) => e.event === "instances" && (e.data as { prefix: string }[]).some((i) => i.prefix === "petstore")),
      );
      await extensions.stopAll();

      const t0 = performance.now();
      process.kill(-running.dev.pid, "SIGINT");
      const exit = await exitWithin(running.dev, 5_000);
      expect(exit, "dev did not stop within 5 s with a stream open").not.toBe("hung");
      console.log(`SIGINT with a console stream open: dev exited ${Math.round((exit as Exit).at - t0)} ms after the signal`);
      expect(exit).toMatchObject({ code: 130 });
      await stream.ended;
      await leftNothing(running.nats);
    } finally {
      await extensions.stopAll();
    }
  });
});
