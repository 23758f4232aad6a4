/** The ported reference examples (hello, markdown_content, clock, demo_widgets, weather), run in-process against the local platform and a real nats-server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, MimeType, type SetupFn } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import * as hello0 from "../examples/hello/src/hello0.js";
import * as hello1 from "../examples/hello/src/hello1.js";
import * as hello2 from "../examples/hello/src/hello2.js";
import * as hello3 from "../examples/hello/src/hello3.js";
import * as hello4 from "../examples/hello/src/hello4.js";
import * as hello5 from "../examples/hello/src/hello5.js";
import * as markdown from "../examples/markdown_content/src/extension.js";
import * as clock from "../examples/clock/src/extension.js";
import * as widgets from "../examples/demo_widgets/src/extension.js";
import { FakeManagement } from "../examples/demo_widgets/src/fake-management.js";
import { WIDGETS } from "../examples/demo_widgets/src/widgets.js";
import * as weather from "../examples/weather/src/extension.js";
import { FakeOpenMeteo } from "../examples/weather/src/fake-open-meteo.js";
import { transform } from "esbuild";
import { Extensions } from "./helpers/extension.js";

let dev: DevPlatform;
/** How long a registration, a widget push or a usage report may take to show: generous, since a loaded machine is slow, not broken (each wait ends as soon as it holds). */
const SETTLE_MS = 15_000;
const extensions = new Extensions();

/** Runs an example's extension with the dev token until setup is done and the registration is in. */
async function start(ext: Extension, setup: SetupFn = () => {}): Promise<Extension> {
  ext.withToken(dev.token).withStatusInterval(200);
  await extensions.start(ext, setup);
  const id = ext.identifier();
  expect(await until(() => dev.platform.extensions().some((e) => e.entry.id === id), SETTLE_MS)).toBe(true);
  return ext;
}

async function stop(ext: Extension): Promise<void> {
  const r = extensions.running.find((x) => x.ext === ext)!;
  const id = ext.identifier();
  ext.stop();
  await r.done;
  // The disconnect status removes this instance's entry.
  expect(await until(() => !dev.platform.extensions().some((e) => e.entry.id === id), SETTLE_MS)).toBe(true);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return check();
}

const entryOf = (prefix: string) => dev.platform.extensions().find((e) => e.entry.prefix === prefix)?.entry;
const api = (prefix: string, path: string) => `${dev.httpUrl}/api/${prefix}${path}`;

beforeAll(async () => {
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
});

afterAll(async () => {
  await extensions.stopAll();
  await dev?.stop();
});

describe("hello tutorial", () => {
  it("hello0 registers with nothing but a name and prefix; hello1 adds description and capabilities", async () => {
    const e0 = await start(hello0.createExtension());
    expect(entryOf("hello")).toMatchObject({ name: "Hello World", description: "", capabilities: [], resources: [] });
    await stop(e0);

    const e1 = await start(hello1.createExtension());
    const entry = entryOf("hello")!;
    expect(entry.description).toBe("A simple TypeScript extension");
    expect(entry.capabilities).toContainEqual({ type: "pub", subject: "events.hello", description: "Emit greeting events" });
    await stop(e1);
  });

  it("hello2 registers its page, help, routes and menus", async () => {
    const e2 = await start(hello2.createExtension());
    const entry = entryOf("hello")!;
    const home = entry.resources.find((r) => r.uri === hello2.HOME_URI)!;
    expect(home.mimeType).toBe(MimeType.TextSlashSymphonyJsx);
    expect(home.content).toContain("export default function Home");
    expect(entry.resources.find((r) => r.uri === hello2.HELP_URI)!.mimeType).toBe("text/markdown");
    expect(entry.routes).toEqual([
      { path: "/hello", resource: hello2.HOME_URI },
      { path: "/hello/help", resource: hello2.HELP_URI },
    ]);
    expect(entry.menus.map((m) => m.route)).toEqual(["/hello", "/hello/help"]);
    await stop(e2);
  });

  it("hello3's generated endpoint answers through the gateway, validating the query", async () => {
    const e3 = await start(hello3.createExtension(), hello3.setup);
    const first = await fetch(api("hello", "/hello?name=Ada"));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ message: "Hello, Ada!", count: 1 });
    expect(await (await fetch(api("hello", "/hello"))).json()).toEqual({ message: "Hello, World!", count: 2 });
    const bad = await fetch(api("hello", "/hello?name="));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { name: string }[] }).errors[0]!.name).toBe("name");
    await stop(e3);
  });

  it("hello4 counts greetings in its declared KV bucket and reports usage", async () => {
    const e4 = await start(hello4.createExtension(), (e) => hello4.setup(e, { reportEvery: 2 }));
    expect(entryOf("hello")!.buckets).toEqual([{ name: hello4.BUCKET, description: "Greeting counts", ttl: 0 }]);
    const counts: number[] = [];
    for (const name of ["Ada", "Grace", "Linus"]) {
      const res = await fetch(api("hello", `/hello?name=${name}`));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { message: string; count: number };
      expect(body.message).toBe(`Hello, ${name}!`);
      counts.push(body.count);
    }
    expect(counts).toEqual([1, 2, 3]);
    const kv = await (await e4.jetstream()).views.kv(hello4.BUCKET, { bindOnly: true });
    expect((await kv.get(hello4.COUNT_KEY))!.string()).toBe("3");
    // One batch of 2 reported; the third greeting is still pending.
    expect(await until(() => dev.platform.usage("hello")[hello4.USAGE_DIMENSION] === 2, SETTLE_MS)).toBe(true);

    // A second instance shares the count.
    const other = await start(hello4.createExtension(), (e) => hello4.setup(e));
    const replies: number[] = [];
    for (let i = 0; i < 4; i++) replies.push(((await (await fetch(api("hello", "/hello"))).json()) as { count: number }).count);
    expect(replies).toEqual([4, 5, 6, 7]);
    expect((await kv.get(hello4.COUNT_KEY))!.string()).toBe("7");
    await stop(other);
    await stop(e4);
  });

  it("hello5 serves a hand-written endpoint (parseRestRequest, restResponse, restError) in the generated one's group", async () => {
    const e5 = await start(hello5.createExtension(), (e) => hello5.setup(e, { reportEvery: 100 }));
    const post = (body: unknown) =>
      fetch(api("hello", "/greetings"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // Interleaved: the two services share the subjects' prefix and the default queue group, and neither takes the other's requests.
    for (let i = 0; i < 5; i++) {
      const greeted = await post({ names: ["Ada", "__proto__", "constructor"], excited: i % 2 === 0 });
      expect(greeted.status).toBe(200);
      const end = i % 2 === 0 ? "!" : ".";
      expect(await greeted.json()).toEqual({ greetings: [`Hello, Ada${end}`, `Hello, __proto__${end}`, `Hello, constructor${end}`] });
      const hello = await fetch(api("hello", "/hello?name=Grace"));
      expect(hello.status).toBe(200);
      expect(((await hello.json()) as { message: string }).message).toBe("Hello, Grace!");
    }

    // The handler's own checks: a 400 problem+json naming every offending field.
    const bad = await post({ names: ["Ada", "", 7, "x".repeat(101)], excited: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await bad.json()) as { status: number; errors: { in: string; pointer: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.pointer)).toEqual(["/names/1", "/names/2", "/names/3", "/excited"]);
    const nobody = await post({ names: [] });
    expect(nobody.status).toBe(400);
    expect(((await nobody.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe("/names");

    // An envelope that is not one, straight over NATS: parseRestRequest's 400 names the envelope field.
    const nc = e5.conn()!;
    const raw = await nc.request(`cirata.extensions.hello.greet`, new TextEncoder().encode(JSON.stringify({ method: "POST", headers: 5 })), { timeout: 2000 });
    const wrapped = JSON.parse(new TextDecoder().decode(raw.data)) as { statuscode: number; body: { errors: { in: string; pointer: string }[] } };
    expect(wrapped.statuscode).toBe(400);
    expect(wrapped.body.errors).toEqual([{ in: "envelope", pointer: "/headers", message: "expected an object" }]);

    // Both services describe themselves, the greeter with its own document.
    const infos = await nc.services.client().info();
    const names = new Set<string>();
    for await (const info of infos) if (info.endpoints.some((e) => e.subject.startsWith("cirata.extensions.hello."))) names.add(info.name);
    expect([...names].sort()).toEqual(["Hello", "greeter"]);
    await stop(e5);
  });
});

describe("markdown_content", () => {
  let ext: Extension;

  beforeAll(async () => {
    ext = await start(markdown.createExtension(), markdown.setup);
  });

  const widgetContent = () => entryOf(markdown.PREFIX)?.resources.find((r) => r.uri === markdown.WIDGET_URI)?.content;

  it("registers a widget backed by a declared bucket, showing the default content", async () => {
    const entry = entryOf(markdown.PREFIX)!;
    expect(entry.widgets).toEqual([{ name: "Markdown Content", resource: markdown.WIDGET_URI, notes: expect.stringContaining("PUT /content") }]);
    expect(entry.buckets.map((b) => b.name)).toEqual([markdown.BUCKET]);
    expect(widgetContent()).toBe(markdown.DEFAULT_MARKDOWN);
    const res = await fetch(api(markdown.PREFIX, "/content"));
    expect(await res.json()).toEqual({ markdown: markdown.DEFAULT_MARKDOWN, revision: 0 });
  });

  it("PUT /content stores the markdown in KV and pushes it to the registered widget", async () => {
    const text = "# Release notes\n\n- Faster sync\n";
    const res = await fetch(api(markdown.PREFIX, "/content"), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ markdown: text }),
    });
    expect(res.status).toBe(200);
    const stored = (await res.json()) as { markdown: string; revision: number; updated: string };
    expect(stored.markdown).toBe(text);
    expect(stored.revision).toBeGreaterThan(0);
    expect(Date.parse(stored.updated)).not.toBeNaN();

    const kv = await (await ext.jetstream()).views.kv(markdown.BUCKET, { bindOnly: true });
    expect((await kv.get(markdown.CONTENT_KEY))!.string()).toBe(text);
    expect(widgetContent()).toBe(text);
    expect(await (await fetch(api(markdown.PREFIX, "/content"))).json()).toMatchObject({ markdown: text, revision: stored.revision });
  });

  it("rejects a body without markdown", async () => {
    const res = await fetch(api(markdown.PREFIX, "/content"), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x" }),
    });
    expect(res.status).toBe(400);
    expect(widgetContent()).toContain("Release notes");
  });

  it("pushes a change written straight to the bucket, and starts from the stored content after a restart", async () => {
    const kv = await (await ext.jetstream()).views.kv(markdown.BUCKET, { bindOnly: true });
    await kv.put(markdown.CONTENT_KEY, "written elsewhere");
    expect(await until(() => widgetContent() === "written elsewhere", SETTLE_MS)).toBe(true);

    await stop(ext);
    ext = await start(markdown.createExtension(), markdown.setup);
    expect(widgetContent()).toBe("written elsewhere");
    expect(await (await fetch(api(markdown.PREFIX, "/content"))).json()).toMatchObject({ markdown: "written elsewhere" });
  });
});

describe("clock", () => {
  beforeAll(async () => {
    await start(clock.createExtension(), clock.setup);
  });

  it("registers an MCP App resource with a name and description", () => {
    const app = entryOf(clock.PREFIX)!.resources.find((r) => r.uri === clock.APP_URI)!;
    expect(app).toMatchObject({ mimeType: "text/html;profile=mcp-app", name: "Clock", description: expect.any(String) });
    expect(app.content).toContain("/api/clock/time");
  });

  it("answers GET /time for Europe/Paris with the local time and offset", async () => {
    const before = Date.now();
    const res = await fetch(api(clock.PREFIX, "/time?tz=Europe/Paris"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { timeZone: string; local: string; utc: string; offset: string; formatted: string; epochMs: number };
    expect(body.timeZone).toBe("Europe/Paris");
    expect(["+01:00", "+02:00"]).toContain(body.offset);
    expect(body.epochMs).toBeGreaterThanOrEqual(before - 1);
    expect(body.epochMs).toBeLessThanOrEqual(Date.now() + 1);
    expect(Date.parse(body.utc)).toBe(body.epochMs);
    // The local time with its offset is the same instant.
    expect(Date.parse(body.local)).toBe(body.epochMs);
    expect(body.local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
    expect(body.formatted).toMatch(/CES?T/);
  });

  it("defaults to UTC and knows zones at offset zero and negative offsets", async () => {
    expect(await (await fetch(api(clock.PREFIX, "/time"))).json()).toMatchObject({ timeZone: "UTC", offset: "+00:00" });
    const ny = (await (await fetch(api(clock.PREFIX, "/time?tz=America/New_York"))).json()) as { offset: string; local: string; epochMs: number };
    expect(["-05:00", "-04:00"]).toContain(ny.offset);
    expect(Date.parse(ny.local)).toBe(ny.epochMs);
    expect(clock.timeIn("Asia/Kolkata", new Date("2026-01-01T00:00:00Z")).local).toBe("2026-01-01T05:30:00.000+05:30");
  });

  it("answers 400 problem+json for an unknown or malformed zone", async () => {
    const unknown = await fetch(api(clock.PREFIX, "/time?tz=Mars/Olympus"));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect(((await unknown.json()) as { detail: string }).detail).toContain("Mars/Olympus");
    const malformed = await fetch(api(clock.PREFIX, `/time?tz=${encodeURIComponent("../etc/passwd")}`));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { errors: { in: string; name: string }[] }).errors[0]).toMatchObject({ in: "query", name: "tz" });
  });
});

describe("demo_widgets", () => {
  const fake = new FakeManagement();
  let options: widgets.DemoWidgetsOptions;
  let ext: Extension;
  type Snapshot = {
    polledAt?: string;
    upstream: { url: string; reachable: boolean; error?: string; failingSince?: string };
    migrations: { id: string; path: string; state: string; bytesMigrated: number; filesMigrated: number }[];
    throughput: { bytesPerSecond: number; filesPerSecond: number };
    widgetsUpdated: number;
  };
  const widget = (id: keyof typeof WIDGETS) => entryOf(widgets.PREFIX)!.resources.find((r) => r.uri === WIDGETS[id].uri)!.content;
  const poll = async (): Promise<Snapshot> => {
    const res = await fetch(api(widgets.PREFIX, "/poll"), { method: "POST" });
    expect(res.status).toBe(200);
    return (await res.json()) as Snapshot;
  };

  beforeAll(async () => {
    // Polled by hand (POST /poll) so each test knows what the widgets show; the timer is tested on its own.
    options = { managementUrl: await fake.listen(), pollIntervalMs: 3_600_000, timeoutMs: 2000 };
    ext = await start(widgets.createExtension(options), widgets.setupWith(options));
  });
  afterAll(() => fake.close());

  it("registers three widgets whose first content already shows the first poll", async () => {
    const entry = entryOf(widgets.PREFIX)!;
    expect(entry.widgets.map((w) => w.resource)).toEqual(Object.values(WIDGETS).map((w) => w.uri));
    expect(entry.resources.filter((r) => r.mimeType === widgets.WIDGET_MIME)).toHaveLength(3);
    expect(widget("migrations")).toContain("/data/warehouse");
    expect(widget("migrations")).toContain("1 running, 1 live, 1 paused");
    expect(widget("throughput")).toContain("50.0 MiB/s");
    expect(widget("health")).toContain("Answering");
    const res = await fetch(api(widgets.PREFIX, "/snapshot"));
    expect(res.status).toBe(200);
    const snapshot = (await res.json()) as Snapshot;
    expect(snapshot.upstream).toEqual({ url: options.managementUrl, reachable: true });
    expect(snapshot.migrations.map((m) => m.id)).toEqual(["warehouse", "logs", "archive"]);
  });

  it("a poll pushes the widgets that changed with updateResource, and only those", async () => {
    const before = widget("migrations");
    const throughput = widget("throughput");
    const snapshot = await poll();
    expect(snapshot.migrations[0]).toMatchObject({ id: "warehouse", state: "RUNNING" });
    expect(snapshot.migrations[0]!.bytesMigrated).toBeGreaterThan(0);
    // Migrations moved and the health widget's poll time changed; throughput did not.
    expect(snapshot.widgetsUpdated).toBe(2);
    expect(await until(() => widget("migrations") !== before, SETTLE_MS)).toBe(true);
    expect(widget("throughput")).toBe(throughput);
    fake.throughput = { bytesPerSecond: 2 * 1024 ** 3, filesPerSecond: 7.5 };
    expect((await poll()).widgetsUpdated).toBe(3);
    expect(await until(() => widget("throughput").includes("2.0 GiB/s") && widget("throughput").includes("7.5 files/s"), SETTLE_MS)).toBe(true);
  });

  it("when the service stops answering, the widgets keep the last data, marked stale, and the health widget names the error", async () => {
    fake.down = true;
    const down = await poll();
    expect(down.upstream).toMatchObject({ reachable: false, error: expect.stringContaining("/migrations: HTTP 503"), failingSince: expect.any(String) });
    expect(down.migrations.map((m) => m.id)).toEqual(["warehouse", "logs", "archive"]);
    expect(await until(() => widget("health").includes("Not answering since"), SETTLE_MS)).toBe(true);
    expect(widget("health")).toContain("HTTP 503");
    expect(widget("migrations")).toContain("Showing data from");
    expect(widget("migrations")).toContain("/data/warehouse");
    // Still failing: the first failure's time is kept, and nothing changed, so nothing is pushed.
    const again = await poll();
    expect(again.upstream.failingSince).toBe(down.upstream.failingSince);
    expect(again.widgetsUpdated).toBe(0);

    fake.down = false;
    fake.broken = true;
    expect((await poll()).upstream.error).toMatch(/JSON/);
    fake.broken = false;
    const restored = await poll();
    expect(restored.upstream).toEqual({ url: options.managementUrl, reachable: true });
    expect(await until(() => widget("health").includes("Answering") && !widget("migrations").includes("Showing data from"), SETTLE_MS)).toBe(true);
  });

  it("an answer with a field of the wrong kind is an error naming the field; the widgets are not broken by it", async () => {
    const saved = fake.migrations;
    fake.migrations = [{ ...saved[1]!, stats: { bytesMigrated: -5, filesMigrated: 1 } }];
    const bad = await poll();
    expect(bad.upstream.error).toContain("/0/stats/bytesMigrated");
    expect(bad.migrations).toHaveLength(3);
    fake.migrations = [{ ...saved[1]!, stats: { bytesMigrated: 2 ** 53, filesMigrated: 1 } }];
    expect((await poll()).upstream.error).toContain("/0/stats/bytesMigrated");
    fake.migrations = saved;
    expect((await poll()).upstream.reachable).toBe(true);
  });

  it("escapes what the service says: a migration path is text in the widget, never markup", async () => {
    const saved = fake.migrations;
    const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    fake.migrations = [{ migrationId: "__proto__", path: hostile, state: "FAILED", stats: { bytesMigrated: 0, filesMigrated: 0 } }];
    const snapshot = await poll();
    expect(snapshot.migrations).toEqual([{ id: "__proto__", path: hostile, state: "FAILED", bytesMigrated: 0, filesMigrated: 0 }]);
    expect(await until(() => widget("migrations").includes("1 failed"), SETTLE_MS)).toBe(true);
    expect(widget("migrations")).not.toContain("<script");
    expect(widget("migrations")).not.toContain("<img");
    expect(widget("migrations")).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    fake.migrations = saved;
    await poll();
  });

  it("polls on its own every pollIntervalMs until stopped", async () => {
    const dashboard = new widgets.Dashboard(ext, { ...options, pollIntervalMs: 20 });
    const from = fake.requests;
    dashboard.start();
    // Each poll reads both resources.
    expect(await until(() => fake.requests - from >= 8, 5000)).toBe(true);
    dashboard.stop();
    await dashboard.poll(); // the poll under way when stopped (or one more), finished
    const settled = fake.requests;
    await new Promise((r) => setTimeout(r, 200)); // ten intervals

    expect(fake.requests).toBe(settled);
  });

  it("before the service has ever answered: GET /snapshot is a 503 naming the URL and the error", async () => {
    const closed = await freeLoopbackUrl();
    const dashboard = new widgets.Dashboard(ext, { ...options, managementUrl: closed, timeoutMs: 500 });
    const handlers = widgets.createHandlers(dashboard);
    const never = (await handlers.getSnapshot({} as never, {} as never)) as { status: number; body: { detail: string } };
    expect(never.status).toBe(503);
    expect(never.body.detail).toContain("no poll has finished yet");
    const polled = await dashboard.poll();
    expect(polled.upstream).toMatchObject({ reachable: false, error: expect.stringContaining(`GET ${closed}/migrations`) });
    const failed = (await handlers.getSnapshot({} as never, {} as never)) as { status: number; body: { detail: string } };
    expect(failed.status).toBe(503);
    expect(failed.body.detail).toContain(closed);
    expect(failed.body.detail).toContain("ECONNREFUSED");
  });

  it("reads its settings from the environment and names a malformed one", () => {
    expect(widgets.optionsFromEnv({})).toEqual({ managementUrl: "http://127.0.0.1:18080", pollIntervalMs: 5000, timeoutMs: 3000 });
    expect(widgets.optionsFromEnv({ MANAGEMENT_URL: "https://ldm.example:8081/api", POLL_INTERVAL_MS: "250" })).toMatchObject({
      managementUrl: "https://ldm.example:8081/api",
      pollIntervalMs: 250,
    });
    expect(() => widgets.optionsFromEnv({ POLL_INTERVAL_MS: "5s" })).toThrow(/POLL_INTERVAL_MS .* got "5s"/);
    expect(() => widgets.optionsFromEnv({ POLL_TIMEOUT_MS: "0" })).toThrow(/POLL_TIMEOUT_MS/);
    expect(() => widgets.optionsFromEnv({ MANAGEMENT_URL: "ftp://x" })).toThrow(/MANAGEMENT_URL must be an http\(s\) URL/);
  });
});

describe("weather", () => {
  const fake = new FakeOpenMeteo();
  const API_KEY = "sk-weather-0123456789";
  let options: weather.WeatherOptions;
  const get = (query: string) => fetch(api(weather.PREFIX, `/weather?${query}`));
  const detail = async (res: Response) => ((await res.json()) as { detail: string }).detail;

  beforeAll(async () => {
    const url = await fake.listen();
    options = { geocodingUrl: url, forecastUrl: url, apiKey: API_KEY, timeoutMs: 1000, cacheTtlMs: 60_000 };
    await start(weather.createExtension(), weather.setupWith(options));
  });
  afterAll(() => fake.close());

  it("registers the React page npm run build made: JSX without types, as a text/symphony-jsx resource", async () => {
    const entry = entryOf(weather.PREFIX)!;
    const page = entry.resources.find((r) => r.uri === weather.PAGE_URI)!;
    expect(page).toMatchObject({ mimeType: "text/symphony-jsx", name: "Weather" });
    expect(page.content).toBe(weather.builtPage());
    expect(page.content).toContain("export {\n  WeatherPage as default\n}");
    expect(page.content).toContain("<table>");
    // Plain JSX: esbuild's jsx loader refuses TypeScript syntax.
    await expect(transform(page.content, { loader: "jsx", jsx: "preserve" })).resolves.toBeDefined();
    await expect(transform("const x: number = <b />;", { loader: "jsx" })).rejects.toThrow();
    expect(entry.routes).toEqual([{ path: "/weather", resource: weather.PAGE_URI }]);
  });

  it("answers the weather for a city from the API, then from its cache", async () => {
    const calls = fake.calls;
    const res = await get("city=Paris&days=3");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      location: { name: string; country: string };
      current: { temperatureC: number; description: string; weatherCode: number };
      daily: { date: string; minC: number; maxC: number; description: string }[];
      cached: boolean;
    };
    expect(body.location).toMatchObject({ name: "Paris", country: "France" });
    expect(body.current).toMatchObject({ temperatureC: 21.5, weatherCode: 2, description: "Partly cloudy" });
    expect(body.daily.map((d) => d.date)).toEqual(["2026-12-07", "2026-12-08", "2026-12-09"]);
    expect(body.daily[0]).toMatchObject({ minC: 15.5, maxC: 23.5 });
    expect(body.cached).toBe(false);
    expect(fake.calls - calls).toBe(2); // geocoding, then forecast
    const again = (await (await get("city=paris&days=3")).json()) as { cached: boolean };
    expect(again.cached).toBe(true);
    expect(fake.calls - calls).toBe(2);
    const unicode = (await (await get(`city=${encodeURIComponent("São Paulo")}&days=1`)).json()) as {
      location: { country: string };
      current: { description: string };
    };
    expect(unicode).toMatchObject({ location: { country: "Brazil" }, current: { description: "Thunderstorm" } });
  });

  it("concurrent requests for one city share one upstream call", async () => {
    const calls = fake.calls;
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(`city=${encodeURIComponent("Reykjavík")}&days=2`)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(fake.calls - calls).toBe(2);
  });

  it("a city nothing matches is a 404; malformed parameters are 400s naming them", async () => {
    const unknown = await get("city=Atlantis");
    expect(unknown.status).toBe(404);
    expect(await detail(unknown)).toContain('"Atlantis"');
    for (const [query, name] of [
      ["city=Paris&days=8", "days"],
      ["city=Paris&days=two", "days"],
      ["days=2", "city"],
      [`city=${"x".repeat(101)}`, "city"],
    ] as const) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { errors: { name: string }[] }).errors[0]!.name, query).toBe(name);
    }
  });

  it("an upstream that fails is a 502, a slow one a 504, a malformed answer a 502 naming the field; the API key never shows", async () => {
    fake.down = true;
    const down = await get("city=Paris&days=4");
    expect(down.status).toBe(502);
    const downDetail = await detail(down);
    expect(downDetail).toContain("/v1/search: HTTP 503");
    fake.down = false;
    fake.slowMs = 1500;
    const slow = await get("city=Paris&days=5");
    expect(slow.status).toBe(504);
    expect(await detail(slow)).toContain("no answer within 1000 ms");
    fake.slowMs = 0;
    fake.malformed = true;
    const malformed = await get("city=Paris&days=6");
    expect(malformed.status).toBe(502);
    const malformedDetail = await detail(malformed);
    expect(malformedDetail).toContain("/current/temperature_2m");
    fake.malformed = false;
    expect((await get("city=Paris&days=6")).status).toBe(200);
    // Sent upstream with every request, never echoed in an answer.
    expect(fake.keys.length).toBeGreaterThan(0);
    expect(new Set(fake.keys)).toEqual(new Set([API_KEY]));
    for (const text of [downDetail, malformedDetail]) expect(text).not.toContain(API_KEY);
  });

  it("reads its settings from the environment and names a malformed one", () => {
    expect(weather.optionsFromEnv({})).toEqual({
      geocodingUrl: "https://geocoding-api.open-meteo.com",
      forecastUrl: "https://api.open-meteo.com",
      timeoutMs: 5000,
      cacheTtlMs: 600_000,
    });
    expect(weather.optionsFromEnv({ WEATHER_API_KEY: "k", CACHE_TTL_MS: "0" })).toMatchObject({ apiKey: "k", cacheTtlMs: 0 });
    expect(() => weather.optionsFromEnv({ WEATHER_API_URL: "api.open-meteo.com" })).toThrow(/WEATHER_API_URL must be an http\(s\) URL/);
    expect(() => weather.optionsFromEnv({ UPSTREAM_TIMEOUT_MS: "-1" })).toThrow(/UPSTREAM_TIMEOUT_MS/);
  });
});

/** A loopback URL nothing listens on. */
async function freeLoopbackUrl(): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}
