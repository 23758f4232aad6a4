/**
 * Faults between an extension and the platform, on real nats-servers: declared buckets follow
 * re-registration (TTL, description, replicas), replica fallbacks are logged, platform requests
 * fail with typed errors, and the work partitioner says when its heartbeat or watch fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, nanos, type JetStreamManager, type NatsConnection } from "nats";
import {
  clusterReplicas,
  createLogger,
  Extension,
  PlatformUnavailable,
  RegistrationFailed,
  SUBJECTS,
  WorkPartitioner,
  type Logger,
} from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { Extensions } from "./helpers/extension.js";
import { until } from "./helpers/dev-cli.js";

type Record_ = Record<string, unknown> & { message: string; level: string };

/** A logger keeping its records (and writing nothing). */
function capture(): {
  log: Logger;
  records: Record_[];
  find: (message: string) => Record_[];
} {
  const records: Record_[] = [];
  const log = createLogger({}, (line) => records.push(JSON.parse(line) as Record_));
  return {
    log,
    records,
    find: (message) => records.filter((r) => r.message === message),
  };
}

describe("declared buckets follow re-registration", () => {
  let dev: DevPlatform;
  const logs = capture();
  let jsm: JetStreamManager;
  const extensions = new Extensions();

  beforeAll(async () => {
    dev = await startDev({ port: 0, log: logs.log });
    jsm = await dev.nc.jetstreamManager();
  });
  afterAll(async () => {
    await extensions.stopAll();
    await dev?.stop();
  });

  it("a new TTL and description reach the existing bucket's stream (KV_<bucket>), and the change is logged", async () => {
    const v1 = new Extension("Buckets", "buckets").withNatsUrl(dev.natsUrl).addBucket("buckets_data", "first description", 60);
    await extensions.start(v1);
    const created = (await jsm.streams.info("KV_buckets_data")).config;
    expect(created).toMatchObject({
      max_age: nanos(60_000),
      description: "first description",
      num_replicas: 1,
    });
    await v1.shutdown();

    // The next version of the extension declares the bucket with a 5 s TTL and a new description.
    const v2 = new Extension("Buckets", "buckets").withNatsUrl(dev.natsUrl).addBucket("buckets_data", "second description", 5);
    await extensions.start(v2);
    const updated = (await jsm.streams.info("KV_buckets_data")).config;
    expect(updated).toMatchObject({
      max_age: nanos(5_000),
      description: "second description",
      num_replicas: 1,
    });
    // The server refuses a duplicate window longer than max_age: it was shortened with it.
    expect(updated.duplicate_window).toBeLessThanOrEqual(nanos(5_000));
    expect(logs.find("bucket updated")).toEqual([
      expect.objectContaining({
        level: "info",
        prefix: "buckets",
        bucket: "buckets_data",
        changes: {
          ttlMs: { from: 60_000, to: 5_000 },
          description: { from: "first description", to: "second description" },
        },
      }),
    ]);
    // The bucket works with its new TTL: a value written is readable.
    const kv = await dev.nc.jetstream().views.kv("buckets_data", { bindOnly: true });
    await kv.put("k", "v");
    expect((await kv.get("k"))?.string()).toBe("v");
  });
});

describe("replicas a single server cannot provide", () => {
  let dev: DevPlatform;
  const logs = capture();

  beforeAll(async () => {
    dev = await startDev({ port: 0, log: logs.log, replicas: 3 });
  });
  afterAll(() => dev?.stop());

  it("the bucket is created with R=1 and a warning names requested and actual (before: the registration failed)", async () => {
    const entry = {
      id: "rep-1",
      name: "Rep",
      prefix: "rep",
      description: "",
      statusInterval: 30,
      capabilities: [],
      resources: [],
      routes: [],
      menus: [],
      widgets: [],
    };
    const ask = async (buckets: unknown[]) =>
      JSON.parse(new TextDecoder().decode((await dev.nc.request(SUBJECTS.register, JSON.stringify({ ...entry, buckets }), { timeout: 5_000 })).data)) as {
        ok: boolean;
        error?: string;
      };
    expect(await ask([{ name: "rep_data", description: "d", ttl: 0 }])).toEqual({ ok: true, id: "rep-1" });
    const warning = {
      level: "warn",
      prefix: "rep",
      bucket: "rep_data",
      requested: 3,
      actual: 1,
    };
    expect(logs.find("bucket replicas not honoured: the NATS server is not clustered")).toEqual([expect.objectContaining(warning)]);
    const jsm = await dev.nc.jetstreamManager();
    expect((await jsm.streams.info("KV_rep_data")).config.num_replicas).toBe(1);

    // Re-registered with a new TTL: the TTL is applied, the replica count stays (warned again).
    expect(await ask([{ name: "rep_data", description: "d", ttl: 30 }])).toEqual({ ok: true, id: "rep-1" });
    expect((await jsm.streams.info("KV_rep_data")).config).toMatchObject({
      max_age: nanos(30_000),
      num_replicas: 1,
    });
    expect(logs.find("bucket replicas not honoured: the NATS server is not clustered")).toHaveLength(2);
    expect(logs.find("bucket updated").at(-1)).toMatchObject({
      bucket: "rep_data",
      changes: { ttlMs: { from: 0, to: 30_000 } },
    });
  });
});

describe("without a platform (plain nats-server)", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let ext: Extension;
  const extensions = new Extensions();

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    ext = new Extension("Lonely", "lonely").withNatsUrl(server.url).addResource("ui://lonely/home", "text/markdown", "v1");
    await extensions.start(ext);
  });
  afterAll(async () => {
    await extensions.stopAll();
    await nc?.close();
    await server?.stop();
  });

  it("clusterReplicas falls back to 1 and says why", async () => {
    const logs = capture();
    expect(await clusterReplicas(nc, logs.log)).toBe(1);
    expect(logs.find("cluster replica count unknown; using 1 replica")).toEqual([
      expect.objectContaining({
        level: "warn",
        subject: SUBJECTS.clusterInfo,
        reason: "no platform answers",
      }),
    ]);
  });

  it("reportUsage rejects with PlatformUnavailable (before: a raw NatsError 503)", async () => {
    const err = await ext.reportUsage({ things: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformUnavailable);
    expect(err).toMatchObject({
      code: "PLATFORM_UNAVAILABLE",
      subject: SUBJECTS.usageReport,
    });
    expect((err as Error).message).toContain(`No Symphony platform answers ${SUBJECTS.usageReport}`);
  });

  it("updateResource rejects with PlatformUnavailable when no registry answers (before: it resolved)", async () => {
    const err = await ext.updateResource("ui://lonely/home", "text/markdown", "v2").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformUnavailable);
    expect(err).toMatchObject({
      code: "PLATFORM_UNAVAILABLE",
      subject: SUBJECTS.register,
    });
    // The declaration changed all the same: the next registration carries it.
    expect(ext.registration().resources[0]!.content).toBe("v2");
  });

  it("updateResource rejects with RegistrationFailed when the registry refuses", async () => {
    const registry = nc.subscribe(SUBJECTS.register, {
      callback: (_e, msg) => msg.respond(JSON.stringify({ ok: false, error: "bucket quota exceeded" })),
    });
    await nc.flush();
    try {
      const err = await ext.updateResource("ui://lonely/home", "text/markdown", "v3").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RegistrationFailed);
      expect(err).toMatchObject({
        code: "REGISTRATION_FAILED",
        message: "The platform refused the registration: bucket quota exceeded",
      });
    } finally {
      registry.unsubscribe();
    }
  });
});

describe("work partitioner", () => {
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it("its bucket takes a new TTL and description when it exists already", async () => {
    const js = nc.jetstream();
    await js.views.kv("parts_instances", {
      ttl: 60_000,
      history: 1,
      description: "written by an earlier version",
    });
    const logs = capture();
    const p = new WorkPartitioner("parts-1", "parts", undefined, {
      heartbeatMs: 60_000,
      ttlMs: 5_000,
      log: logs.log,
    });
    await p.start(js);
    try {
      const jsm = await nc.jetstreamManager();
      expect((await jsm.streams.info("KV_parts_instances")).config).toMatchObject({
        max_age: nanos(5_000),
        description: "live instances of parts",
      });
      expect(logs.find("bucket updated")).toEqual([
        expect.objectContaining({
          bucket: "parts_instances",
          changes: {
            ttlMs: { from: 60_000, to: 5_000 },
            description: {
              from: "written by an earlier version",
              to: "live instances of parts",
            },
          },
        }),
      ]);
      expect(p.activeInstances()).toEqual(["parts-1"]);
    } finally {
      await p.stop();
    }
    // stop() ends the watch without an error line.
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.records.filter((r) => r.message.startsWith("work partitioner watch"))).toEqual([]);
  });

  it("a failed heartbeat is logged once per run of failures (before: dropped silently)", async () => {
    const logs = capture();
    const p = new WorkPartitioner("lost-1", "lost", undefined, {
      heartbeatMs: 100,
      log: logs.log,
    });
    await p.start(nc.jetstream());
    try {
      // The bucket disappears under the running partitioner.
      await (await nc.jetstreamManager()).streams.delete("KV_lost_instances");
      const failed = await until("the heartbeat failure to be logged", () => logs.find("work partitioner heartbeat failed")[0]);
      expect(failed).toMatchObject({
        level: "warn",
        component: "work-partitioner",
        bucket: "lost_instances",
        instance: "lost-1",
      });
      expect(String(failed.error)).not.toBe("");
      await new Promise((r) => setTimeout(r, 500));
      // Logged once per run of failures, not on every tick.
      expect(logs.find("work partitioner heartbeat failed")).toHaveLength(1);
    } finally {
      await p.stop();
    }
  });

  it("the end of its watch is logged (before: dropped silently)", async () => {
    const own = await connect({ servers: server.url });
    const logs = capture();
    const p = new WorkPartitioner("closed-1", "closed", undefined, {
      heartbeatMs: 60_000,
      log: logs.log,
    });
    await p.start(own.jetstream());
    // The connection goes away under the running partitioner (not through stop()).
    await own.close();
    const ended = await until("the watch's end to be logged", () => logs.records.find((r) => r.message.startsWith("work partitioner watch")));
    expect(ended).toMatchObject({
      level: "error",
      bucket: "closed_instances",
      instance: "closed-1",
    });
    expect(ended.message).toContain("instance changes are seen only on heartbeats");
    await p.stop();
  });
});
