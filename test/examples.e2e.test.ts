/** The ported reference examples (hello, markdown_content, clock), run in-process against the local platform and a real nats-server. */
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
import { Extensions } from "./helpers/extension.js";

let dev: DevPlatform;
const extensions = new Extensions();

/** Runs an example's extension with the dev token until setup is done and the registration is in. */
async function start(ext: Extension, setup: SetupFn = () => {}): Promise<Extension> {
  ext.withToken(dev.token).withStatusInterval(200);
  await extensions.start(ext, setup);
  const id = ext.identifier();
  expect(await until(() => dev.platform.extensions().some((e) => e.entry.id === id), 2000)).toBe(true);
  return ext;
}

async function stop(ext: Extension): Promise<void> {
  const r = extensions.running.find((x) => x.ext === ext)!;
  const id = ext.identifier();
  ext.stop();
  await r.done;
  // The disconnect status removes this instance's entry.
  expect(await until(() => !dev.platform.extensions().some((e) => e.entry.id === id), 2000)).toBe(true);
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
    expect(await until(() => dev.platform.usage("hello")[hello4.USAGE_DIMENSION] === 2, 2000)).toBe(true);

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
    expect(await until(() => widgetContent() === "written elsewhere", 2000)).toBe(true);

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
