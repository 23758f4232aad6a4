/**
 * Observability with several instances of one extension, on a real nats-server: a collector's
 * scatter request reads every instance (the endpoints are not in a shared queue group), and
 * each instance also answers on a subject of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, RequestStrategy, type NatsConnection } from "nats";
import { Extension, Observability, type MetricsSnapshot, type RecordsSnapshot, type LogRecord } from "@symphony-codegen/runtime";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";
import { Extensions } from "./helpers/extension.js";

const PREFIX = "multi";
const SUBJECT = `cirata.extensions.${PREFIX}.observability`;
const decode = <T>(data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as T;

describe("observability endpoints per instance", () => {
  let server: NatsServer;
  let collector: NatsConnection;
  const extensions = new Extensions();
  const instances: { obs: Observability; id: string }[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    collector = await connect({ servers: server.url });
    for (const n of [1, 2]) {
      const ext = new Extension("Multi", PREFIX).withNatsUrl(server.url);
      await extensions.start(ext, async (e) => {
        const service = await e.addEndpoints("Multi", "1.0.0", "one of two instances");
        const obs = await Observability.enable(service, PREFIX, {
          write: () => {},
        });
        obs.incrementCounter("work.done", n * 10);
        obs.logCapture().info(`instance ${n} says hello`);
        instances.push({ obs, id: service.info().id });
      });
    }
  });

  afterAll(async () => {
    await extensions.stopAll();
    await collector?.close();
    await server?.stop();
  });

  it("a scatter request to the shared subject gets one answer from every instance (before: one, from the queue group)", async () => {
    const replies: MetricsSnapshot[] = [];
    // Count strategy: done after two answers; maxWait only bounds a failure.
    for await (const msg of await collector.requestMany(`${SUBJECT}.metrics`, "{}", { strategy: RequestStrategy.Count, maxMessages: 2, maxWait: 10_000 })) {
      replies.push(decode<MetricsSnapshot>(msg.data));
    }
    expect(replies.map((r) => r.instance).sort()).toEqual(instances.map((i) => i.id).sort());
    const byInstance = Object.fromEntries(replies.map((r) => [r.instance, r.counters]));
    instances.forEach(({ id }, i) => expect(byInstance[id]).toEqual([{ name: "work.done", value: (i + 1) * 10, attributes: {} }]));
  });

  it("a plain request to the shared subject still gets an answer (the first)", async () => {
    const reply = decode<MetricsSnapshot>((await collector.request(`${SUBJECT}.metrics`, "{}", { timeout: 5_000 })).data);
    expect(instances.map((i) => i.id)).toContain(reply.instance);
  });

  it("each instance answers alone on cirata.extensions.<prefix>.observability.<instance>.<name>", async () => {
    for (const [n, { id }] of instances.entries()) {
      const logs = decode<RecordsSnapshot<LogRecord>>(
        (await collector.request(`${SUBJECT}.${id}.logs`, JSON.stringify({ since: 0 }), { timeout: 5_000 })).data,
      );
      expect(logs.instance).toBe(id);
      expect(logs.records.map((r) => r.message)).toEqual([`instance ${n + 1} says hello`]);
      // Its own cursor: nothing newer since `next`.
      const newer = decode<RecordsSnapshot<LogRecord>>(
        (await collector.request(`${SUBJECT}.${id}.logs`, JSON.stringify({ since: logs.next }), { timeout: 5_000 })).data,
      );
      expect(newer.records).toEqual([]);
    }
  });

  it("$SRV.INFO lists both subjects, the per-instance one with the instance in its metadata", async () => {
    let seen = 0;
    for await (const info of await collector.services.client().info("Multi")) {
      seen++;
      const endpoints = info.endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        instance: e.metadata?.instance,
      }));
      expect(endpoints).toContainEqual({
        name: "metrics",
        subject: `${SUBJECT}.metrics`,
        instance: undefined,
      });
      expect(endpoints).toContainEqual({
        name: "instance_traces",
        subject: `${SUBJECT}.${info.id}.traces`,
        instance: info.id,
      });
    }
    expect(seen).toBeGreaterThan(0);
  });
});
