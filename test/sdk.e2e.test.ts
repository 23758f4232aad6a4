/** The extension SDK surface against the local platform and a real nats-server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BucketNotFound, Client, Extension, KeyNotFound, MimeType, kvBatch, type SetupFn, type WorkPartitioner } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { Extensions } from "./helpers/extension.js";

let dev: DevPlatform;
const extensions = new Extensions();

async function start(ext: Extension, setup: SetupFn = () => {}): Promise<Extension> {
  await extensions.start(ext, setup);
  return ext;
}

beforeAll(async () => {
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
});

afterAll(async () => {
  await extensions.stopAll();
  await dev?.stop();
});

describe("declarations, storage and platform services", () => {
  let ext: Extension;

  beforeAll(async () => {
    ext = new Extension("Notes", "notes")
      .withToken(dev.token)
      .withStatusInterval(200)
      .withDescription("Keeps notes")
      .addCapability("sub", "extensions.notes", "Notes")
      .addCapability("pub", "events.notes", "Emit events")
      .addResource("ui://notes/home", MimeType.TextSlashSymphonyJsx, "export default () => <p>hi</p>")
      .addResourceFull("ui://notes/app", MimeType.TextSlashHtmlSemicolonProfileEqualMcpApp, "<html></html>", "Notes app", "Interactive")
      .addHtmxResource("ui://notes/table", "pages/table")
      .addRoute("/notes", "ui://notes/home")
      .addMenu("main", "Notes", "/notes", "fa-note-sticky")
      .addMenuWithLink("main", "Docs", "/docs", "fa-book", "https://example.com/docs")
      .addWidget("Latest", "ui://notes/home")
      .addWidgetWithNotes("Count", "ui://notes/home", "How many notes")
      .addBucket("notes_data", "Notes", 0)
      .addBucket("notes_events", "Events with 24h TTL", 86400);
    await start(ext);
  });

  it("carries every declaration in the registration, visible through the platform", async () => {
    const client = await Client.connect(undefined, { natsUrl: dev.natsUrl });
    try {
      const mine = (await client.extensions()).find((e) => e.entry.prefix === "notes");
      expect(mine).toBeDefined();
      const entry = mine!.entry;
      expect(entry.description).toBe("Keeps notes");
      expect(entry.capabilities).toHaveLength(2);
      expect(entry.resources.map((r) => r.mimeType)).toEqual(["text/symphony-jsx", "text/html;profile=mcp-app", "application/vnd.symphony.htmx+json"]);
      expect(entry.resources[1]).toMatchObject({ name: "Notes app", description: "Interactive" });
      expect(entry.routes).toEqual([{ path: "/notes", resource: "ui://notes/home" }]);
      expect(entry.menus[1]).toMatchObject({ link: "https://example.com/docs" });
      expect(entry.widgets[1]).toEqual({ name: "Count", resource: "ui://notes/home", notes: "How many notes" });
      expect(entry.buckets.map((b) => b.name)).toEqual(["notes_data", "notes_events"]);
      const info = await client.info();
      expect(info).toMatchObject({ name: "symphony-dev", replicas: 1 });
    } finally {
      await client.close();
    }
  });

  it("re-registers at once when a resource is updated", async () => {
    await ext.updateResource("ui://notes/home", MimeType.TextSlashSymphonyJsx, "export default () => <p>v2</p>");
    const record = dev.platform.extensions().find((e) => e.entry.prefix === "notes")!;
    expect(record.entry.resources.find((r) => r.uri === "ui://notes/home")!.content).toContain("v2");
  });

  it("gets buckets created at registration with the cluster's replicas, and reads and writes them", async () => {
    const js = await ext.jetstream();
    const jsm = await ext.conn()!.jetstreamManager();
    const stream = await jsm.streams.info("KV_notes_events");
    expect(stream.config.num_replicas).toBe(1);
    expect(stream.config.max_age).toBe(86400 * 1e9);
    const kv = await js.views.kv("notes_data");
    await kv.put("item.1", JSON.stringify({ name: "Widget" }));
    expect(new TextDecoder().decode((await kv.get("item.1"))!.value)).toBe('{"name":"Widget"}');
    await kv.delete("item.1");
    expect((await kv.get("item.1"))?.operation).toBe("DEL");
  });

  it("batch-writes concurrently without failing fast", async () => {
    const js = await ext.jetstream();
    const entries = [
      ...Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      { key: "bad key*", value: "x" },
    ];
    const result = await kvBatch.putAll(js, "notes_data", entries);
    expect(result).toMatchObject({ total: 51, succeeded: 50, failed: 1 });
    expect(Object.keys(result.errors)).toEqual(["bad key*"]);
    const kv = await js.views.kv("notes_data");
    expect(new TextDecoder().decode((await kv.get("k49"))!.value)).toBe("v49");
    await expect(kvBatch.putAll(js, "no_such_bucket", entries)).rejects.toBeInstanceOf(BucketNotFound);
  });

  it("reports usage and reads the enforcement state", async () => {
    expect(await ext.reportUsage({ tables_replicated: 5, bytes_transferred_gb: 120.5 })).toMatchObject({ ok: true });
    const second = await ext.reportUsage({ tables_replicated: 1 }, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(second.totals).toEqual({ tables_replicated: 6, bytes_transferred_gb: 120.5 });
    expect(await ext.getEnforcementState()).toBe("enforcement_ok");
    dev.platform.setEnforcement("notes", "enforcement_grace");
    expect(await ext.getEnforcementState()).toBe("enforcement_grace");
  });

  it("lets a Client call extensions and read storage", async () => {
    const client = await Client.connect(dev.token);
    try {
      const js = await ext.jetstream();
      await (await js.views.kv("notes_data")).put("doc", JSON.stringify({ title: "Hello" }));
      expect(await client.storage("notes_data", "doc")).toEqual({ title: "Hello" });
      expect(await client.storage("notes_data")).toContain("doc");
      expect(await client.storage()).toEqual(expect.arrayContaining(["notes_data", "notes_events"]));
      await expect(client.storage("notes_data", "missing")).rejects.toBeInstanceOf(KeyNotFound);
      await expect(client.storage("nope", "x")).rejects.toBeInstanceOf(BucketNotFound);
    } finally {
      await client.close();
    }
  });
});

describe("multi-instance", () => {
  it("delivers instance messages to one instance and each command to exactly one instance", async () => {
    const instances = await Promise.all([0, 1, 2].map(() => start(new Extension("Workers", "workers").withToken(dev.token))));
    const seen = new Map<string, number>();
    const direct: string[] = [];
    for (const e of instances) {
      e.subscribeCommands((msg) => {
        seen.set(e.identifier()!, (seen.get(e.identifier()!) ?? 0) + 1);
        msg.respond("done");
      });
      e.subscribeInstance((msg) => {
        direct.push(`${e.identifier()}:${msg.subject}`);
      });
    }
    const nc = dev.nc;
    await Promise.all(instances.map((e) => e.conn()!.flush()));
    for (let i = 0; i < 30; i++) await nc.request("cirata.extensions.workers.commands", String(i), { timeout: 2000 });
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(30);
    const target = instances[1]!.identifier()!;
    nc.publish(`cirata.extensions.workers.instance.${target}.ping`, "x");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(direct).toEqual([`${target}:cirata.extensions.workers.instance.${target}.ping`]);
  });

  it("partitions work over live instances and moves a stopped instance's keys", async () => {
    const instances = await Promise.all([0, 1, 2].map(() => start(new Extension("Part", "part").withToken(dev.token))));
    let changes = 0;
    const partitioners: WorkPartitioner[] = [];
    for (const e of instances) {
      const p = e.enableWorkPartitioning(() => changes++, { heartbeatMs: 200 });
      await p.start(await e.jetstream());
      partitioners.push(p);
    }
    const waitFor = async (check: () => boolean, ms: number) => {
      const until = Date.now() + ms;
      while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return check();
    };
    const allSeen = await waitFor(() => partitioners.every((p) => p.activeInstances().length === 3), 3000);
    expect(partitioners.map((p) => p.activeInstances())).toEqual(partitioners.map(() => partitioners.map((x) => x.instanceId).sort()));
    expect(allSeen).toBe(true);
    const keys = Array.from({ length: 300 }, (_, i) => `job-${i}`);
    for (const key of keys) expect(partitioners.filter((p) => p.isMyWork(key))).toHaveLength(1);
    const share = partitioners.map((p) => keys.filter((k) => p.isMyWork(k)).length);
    for (const n of share) expect(n).toBeGreaterThan(50);

    const leaving = partitioners[0]!;
    const hisKeys = keys.filter((k) => leaving.isMyWork(k));
    const before = new Map(keys.map((k) => [k, partitioners.find((p) => p.isMyWork(k))!.instanceId]));
    const stoppedAt = Date.now();
    await leaving.stop();
    const rest = partitioners.slice(1);
    expect(await waitFor(() => rest.every((p) => p.activeInstances().length === 2), 2000)).toBe(true);
    const moveMs = Date.now() - stoppedAt;
    expect(moveMs).toBeLessThan(2000);
    for (const key of keys) expect(rest.filter((p) => p.isMyWork(key))).toHaveLength(1);
    // Only the leaver's keys moved.
    for (const key of keys.filter((k) => !hisKeys.includes(k))) expect(rest.find((p) => p.isMyWork(key))!.instanceId).toBe(before.get(key));
    expect(changes).toBeGreaterThan(0);
    for (const p of rest) await p.stop();
  });
});
