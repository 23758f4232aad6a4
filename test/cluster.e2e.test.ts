/**
 * Cluster failover (issue 13) with real processes (test/helpers/cluster.ts), shortened: a 3-node
 * nats-server cluster with an R=3 bucket, two petstore instances, 300 idempotent requests over 10 s
 * with an addPet (a KV write) per 10; kill -9 of one instance at 3 s and of the stream-leader server at
 * 5 s. Requests reach both instances before the kill, none of the idempotent ones fails, and every
 * write the API acknowledged is readable afterwards. The figures during the switches are printed, not
 * asserted on: they depend on timing (scripts/cluster.ts writes them into docs/reliability.md).
 * runCluster stops every process it started, also when it fails; afterAll stops what a run cut short
 * (a test timeout) left behind.
 */
import { afterAll, describe, expect, it } from "vitest";
import { clusterTable, runCluster, stopClusterRuns, type ClusterOptions } from "./helpers/cluster.js";

describe("a 3-node nats-server cluster with two instances", () => {
  afterAll(stopClusterRuns, 60_000);

  it("kill -9 of an instance and of the stream-leader server: 0 idempotent failures, every acknowledged KV write readable", async () => {
    const options: ClusterOptions = { requests: 300, durationMs: 10_000, killInstanceAtMs: 3_000, killLeaderAtMs: 5_000, writeEvery: 10 };
    const result = await runCluster(options);
    console.log(clusterTable(result, options));
    // Spread across instances: both served requests before one was killed.
    expect(result.servedBeforeKill[0]).toBeGreaterThan(0);
    expect(result.servedBeforeKill[1]).toBeGreaterThan(0);
    expect(result.reads).toMatchObject({ sent: 300, ok: 300, failed: 0, failures: {} });
    expect(result.leaderKilled).not.toBe("");
    expect(result.leaderAfter).not.toBe(result.leaderKilled);
    // Writes: most are acknowledged (only those in flight on the killed instance may fail), and all acknowledged ones are there.
    expect(result.writes.sent).toBe(30);
    expect(result.writes.acknowledged).toBeGreaterThan(0);
    expect(result.writes.missing).toEqual([]);
    expect(result.writes.readBack).toBe(result.writes.acknowledged);
  }, 300_000);
});
