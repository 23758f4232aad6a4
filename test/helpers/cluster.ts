/**
 * Cluster failover with real processes (issue 13): a 3-node nats-server cluster on loopback
 * (JetStream, an R=3 bucket) and two counting petstore instances (test/helpers/counting-petstore.ts)
 * connected to all three. Idempotent requests (findPets / findPetById) go at a steady rate through the
 * typed client, with an addPet every `writeEvery` requests: the instance stores the pet in the R=3
 * bucket (`putWithRetry`) before it answers 201. Mid-load one instance is killed with SIGKILL, then the
 * server leading the bucket's stream. Afterwards every pet the API acknowledged is read back.
 * Used by scripts/cluster.ts (full size) and test/cluster.e2e.test.ts (shortened).
 */
import { connect, type NatsConnection } from "nats";
import { openBucket, RECONNECT_FOREVER, Timeout } from "@symphony-codegen/runtime";
import { createClient } from "../../examples/petstore/src/generated/client.js";
import { freePort, startNatsServer, type NatsServer } from "../../dev/nats-server.js";
import { until } from "./example-process.js";
import { startInstance, type Instance } from "./faults.js";

const BUCKET = "cluster";
/** "During the switch": requests sent this long after the instance kill (its in-flight requests hedge after ≤ 1 s) and after the leader kill (the election: ~5 s). */
export const SWITCH_MS = { instance: 2_000, leader: 6_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kindOf = (err: unknown) => (err as Error)?.constructor?.name ?? String(err);

export interface ClusterOptions {
  /** Idempotent requests, spread evenly over `durationMs`. */
  requests: number;
  durationMs: number;
  /** From the start of the load: kill -9 of one instance, then of the stream-leader server. */
  killInstanceAtMs: number;
  killLeaderAtMs: number;
  /** One addPet (a KV write) per this many idempotent requests. */
  writeEvery: number;
  /** false: the instances write with a plain kv.put (no putWithRetry), for the "without" figure. */
  putRetry?: boolean;
  log?: (line: string) => void;
}

export interface ClusterResult {
  /** findPets/findPetById served by each instance before the instance kill. */
  servedBeforeKill: [number, number];
  reads: { sent: number; ok: number; failed: number; failures: Record<string, number> };
  /** Idempotent requests sent during each switch (see SWITCH_MS) and how many of them failed. */
  afterInstanceKill: { sent: number; failed: number };
  afterLeaderKill: { sent: number; failed: number };
  writes: { sent: number; acknowledged: number; failed: number; failures: Record<string, number>; readBack: number; missing: string[] };
  /** addPet calls whose KV put the instance had to retry, and the longest such put (ms). */
  putsRetried: number;
  longestPutMs: number;
  /** Node names: the stream leader killed, and the leader after the election. */
  leaderKilled: string;
  leaderAfter: string;
}

interface Node {
  name: string;
  server: NatsServer;
}

/** Three nats-servers routed to each other (JetStream clustering needs distinct server names and a cluster name). */
async function startCluster(): Promise<Node[]> {
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const routes = await Promise.all([0, 1, 2].map(() => freePort()));
  const nodes: Node[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const name = `n${i + 1}`;
      const others = routes.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      const args = ["-n", name, "--cluster_name", "c", "-cluster", `nats://127.0.0.1:${routes[i]}`, "-routes", others.join(",")];
      nodes.push({
        name,
        server: await startNatsServer({ port: ports[i], args }),
      });
    }
  } catch (err) {
    await stopCluster(nodes);
    throw err;
  }
  return nodes;
}

async function stopCluster(nodes: Node[]): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n.server.stop()));
}

/** kill -9 of a server's process group; `stop()` later only cleans up. */
function killServer(node: Node): void {
  try {
    process.kill(-node.server.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function streamLeader(nc: NatsConnection): Promise<string> {
  const info = await (await nc.jetstreamManager({ checkAPI: false })).streams.info(`KV_${BUCKET}`);
  const leader = info.cluster?.leader;
  if (!leader) throw new Error(`KV_${BUCKET} has no leader`);
  return leader;
}

/** Runs the whole scenario and stops everything it started, also when it fails. */
export async function runCluster(options: ClusterOptions): Promise<ClusterResult> {
  const log = options.log ?? (() => {});
  const nodes = await startCluster();
  const instances: Instance[] = [];
  let nc: NatsConnection | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const instance of instances) {
        if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill("SIGTERM");
      }
      await Promise.race([Promise.all(instances.map((i) => i.exited)), sleep(15_000)]);
      for (const instance of instances) instance.child.kill("SIGKILL");
      await nc?.close().catch(() => {});
      await stopCluster(nodes);
    })());
  running.add(cleanup);
  try {
    const urls = nodes.map((n) => n.server.url);
    nc = await connect({ servers: urls, name: "cluster-client", ...RECONNECT_FOREVER });
    // The meta leader is elected a moment after the servers are ready: create the R=3 bucket once it
    // answers (straight, not ensureBucket, which would settle for R=1 while the peers are still joining).
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager({ checkAPI: false }); // no account-info round trip before the meta leader exists
    const bucketReady = async () => {
      try {
        await js.views.kv(BUCKET, { description: "cluster failover", replicas: 3 });
        const info = await jsm.streams.info(`KV_${BUCKET}`);
        if (info.config.num_replicas !== 3) throw new Error(`KV_${BUCKET} has ${info.config.num_replicas} replicas, not 3`);
        // A leader and both followers current: the bucket really has three copies before anything is killed.
        return !!info.cluster?.leader && info.cluster.replicas?.filter((r) => r.current).length === 2;
      } catch (err) {
        if (/replicas, not 3/.test((err as Error).message)) throw err;
        return false;
      }
    };
    await until("the JetStream cluster to create an R=3 bucket with three current copies", bucketReady, 60_000);
    log(`cluster ${nodes.map((n) => `${n.name} ${n.server.url}`).join(", ")}; KV_${BUCKET} R=3, leader ${await streamLeader(nc)}`);

    const env = { LOG_READS: "1", KV_BUCKET: BUCKET, PUT_RETRY: options.putRetry === false ? "0" : "1" };
    instances.push(startInstance(urls.join(","), 50, env), startInstance(urls.join(","), 50, env));
    for (const instance of instances) await until("a petstore instance to run", () => instance.lines.some((l) => l.message === "extension running"), 60_000);

    const client = createClient(nc, "petstore", { timeout: 20_000 });
    const result: ClusterResult = {
      servedBeforeKill: [0, 0],
      reads: { sent: 0, ok: 0, failed: 0, failures: {} },
      afterInstanceKill: { sent: 0, failed: 0 },
      afterLeaderKill: { sent: 0, failed: 0 },
      writes: { sent: 0, acknowledged: 0, failed: 0, failures: {}, readBack: 0, missing: [] },
      putsRetried: 0,
      longestPutMs: 0,
      leaderKilled: "",
      leaderAfter: "",
    };
    const count = (bag: Record<string, number>, kind: string) => (bag[kind] = (bag[kind] ?? 0) + 1);
    const served = (i: number) => instances[i]!.lines.filter((l) => l.message === "read served").length;
    let instanceKilledAt = Infinity;
    let leaderKilledAt = Infinity;
    const acknowledged: string[] = [];

    log(`load: ${options.requests} idempotent requests over ${options.durationMs} ms, an addPet every ${options.writeEvery}`);
    const t0 = performance.now();
    const faults = (async () => {
      await sleep(options.killInstanceAtMs);
      result.servedBeforeKill = [served(0), served(1)];
      instances[0]!.child.kill("SIGKILL");
      instanceKilledAt = performance.now();
      log(`killed instance pid ${instances[0]!.child.pid} (SIGKILL); served before: ${result.servedBeforeKill.join(" / ")}`);
      await sleep(Math.max(0, t0 + options.killLeaderAtMs - performance.now()));
      result.leaderKilled = await streamLeader(nc!);
      killServer(nodes.find((n) => n.name === result.leaderKilled)!);
      leaderKilledAt = performance.now();
      log(`killed nats-server ${result.leaderKilled}, the leader of KV_${BUCKET} (SIGKILL)`);
    })();

    const calls: Promise<unknown>[] = [];
    const interval = options.durationMs / options.requests;
    for (let i = 0; i < options.requests; i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      result.reads.sent++;
      const sentAt = performance.now();
      const windows = [
        [instanceKilledAt, SWITCH_MS.instance, result.afterInstanceKill],
        [leaderKilledAt, SWITCH_MS.leader, result.afterLeaderKill],
      ] as const;
      const inSwitch = windows.filter(([at, ms]) => sentAt >= at && sentAt < at + ms).map(([, , bag]) => bag);
      for (const bag of inSwitch) bag.sent++;
      const spansSwitch = (failed: boolean) => {
        if (failed) for (const bag of inSwitch) bag.failed++;
      };
      calls.push(
        (i % 2 ? client.findPetById({ path: { id: 1 } }) : client.findPets({})).then(
          (r) => (
            r.status === 200 ? result.reads.ok++ : (result.reads.failed++, count(result.reads.failures, `HTTP ${r.status}`)),
            spansSwitch(r.status !== 200)
          ),
          (err: unknown) => (result.reads.failed++, count(result.reads.failures, kindOf(err)), spansSwitch(true)),
        ),
      );
      if (i % options.writeEvery === options.writeEvery - 1) {
        const name = `pet-${i}`;
        result.writes.sent++;
        calls.push(
          client.addPet({ body: { name } }).then(
            (r) =>
              r.status === 201
                ? (result.writes.acknowledged++, acknowledged.push(name))
                : (result.writes.failed++, count(result.writes.failures, `HTTP ${r.status}`)),
            (err: unknown) => (result.writes.failed++, count(result.writes.failures, kindOf(err))),
          ),
        );
      }
    }
    await Promise.all([...calls, faults]);
    log(`load done in ${Math.round(performance.now() - t0)} ms`);

    // Every acknowledged write, read back through the surviving servers.
    // The stream leader's server was killed: the survivors elect a new one, which on a loaded machine
    // can outlast a JetStream request (openBucket's Timeout). Still unanswered after 60 s is a failure.
    const kv = await untilAnswered(() => openBucket(js, BUCKET), 60_000);
    for (const name of acknowledged) {
      const entry = await kv.get(name);
      if (entry?.operation === "PUT" && (JSON.parse(entry.string()) as { name: string }).name === name) result.writes.readBack++;
      else result.writes.missing.push(name);
    }
    result.leaderAfter = await streamLeader(nc);
    const retried = instances.flatMap((i) => i.lines.filter((l) => l.message === "kv put retried"));
    result.putsRetried = retried.length;
    result.longestPutMs = Math.max(0, ...retried.map((l) => Number(l.ms)));
    return result;
  } finally {
    await cleanup();
    running.delete(cleanup);
  }
}

/** Cleanups of the runs in progress: `stopClusterRuns()` (a test's afterAll) ends them if a run was cut short, e.g. by a test timeout. */
const running = new Set<() => Promise<void>>();

/** Stops whatever a run that did not finish left running (instances, connection, servers). */
export async function stopClusterRuns(): Promise<void> {
  await Promise.allSettled([...running].map((c) => c()));
  running.clear();
}

/** The figures as a markdown table (docs/reliability.md). */
export function clusterTable(r: ClusterResult, options: ClusterOptions): string {
  const kinds = (bag: Record<string, number>) => {
    const list = Object.entries(bag).map(([k, n]) => `${n} ${k}`);
    return list.length ? ` (${list.join(", ")})` : "";
  };
  return [
    "| measured | sent | ok | failed |",
    "|---|---:|---:|---:|",
    `| idempotent requests (typed client), kill -9 of 1 of 2 instances at ${options.killInstanceAtMs / 1000} s and of the stream-leader server at ${options.killLeaderAtMs / 1000} s | ${r.reads.sent} | ${r.reads.ok} | ${r.reads.failed}${kinds(r.reads.failures)} |`,
    `| … of which sent in the ${SWITCH_MS.instance / 1000} s after the instance kill | ${r.afterInstanceKill.sent} | ${r.afterInstanceKill.sent - r.afterInstanceKill.failed} | ${r.afterInstanceKill.failed} |`,
    `| … of which sent in the ${SWITCH_MS.leader / 1000} s after the leader kill (the election) | ${r.afterLeaderKill.sent} | ${r.afterLeaderKill.sent - r.afterLeaderKill.failed} | ${r.afterLeaderKill.failed} |`,
    `| KV writes (addPet → R=3 bucket), acknowledged = 201 | ${r.writes.sent} | ${r.writes.acknowledged} | ${r.writes.failed}${kinds(r.writes.failures)} |`,
    `| acknowledged writes read back afterwards | ${r.writes.acknowledged} | ${r.writes.readBack} | ${r.writes.missing.length} |`,
    "",
    `Requests served per instance before the instance kill: ${r.servedBeforeKill.join(" / ")}. Stream leader ${r.leaderKilled} killed; ${r.leaderAfter} led afterwards. ` +
      `${r.putsRetried} KV puts were retried through the election (\`putWithRetry\`, runtime/sdk/storage.ts); the longest took ${(r.longestPutMs / 1000).toFixed(1)} s.`,
  ].join("\n");
}

/** `attempt()` again while it throws `Timeout`, until `withinMs` has passed. */
async function untilAnswered<T>(attempt: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof Timeout) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
