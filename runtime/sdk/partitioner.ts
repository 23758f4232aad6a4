/**
 * WorkPartitioner: spreads background work over the live instances of an
 * extension. Instances announce themselves in a JetStream KV bucket with a TTL
 * (heartbeats) and watch it; ownership is rendezvous (highest-random-weight)
 * hashing, so when an instance leaves only its keys move.
 */
import { createHash } from "node:crypto";
import type { JetStreamClient, KV } from "nats";
import { log as defaultLog, type Logger } from "../core/log.js";
import { ensureBucket } from "./storage.js";

export interface PartitionerOptions {
  /** Heartbeat period (ms). An instance that stops beating is dropped after `ttlMs`. */
  heartbeatMs?: number;
  /** How long an instance counts as live without a heartbeat (ms); default 3 heartbeats. */
  ttlMs?: number;
  /** Where failed heartbeats, watch errors and bucket changes are logged (the extension's logger from `enableWorkPartitioning`). */
  log?: Logger;
}

function weight(instance: string, key: string): bigint {
  return createHash("sha256").update(instance).update("\0").update(key).digest().readBigUInt64BE(0);
}

export class WorkPartitioner {
  #instances: string[] = [];
  #kv?: KV;
  #timer?: NodeJS.Timeout;
  #stopWatch?: () => void;
  readonly #heartbeatMs: number;
  readonly #ttlMs: number;
  readonly #log: Logger;
  /** Heartbeats failed in a row: the first failure and the recovery are logged, not every tick between. */
  #failedBeats = 0;

  constructor(
    readonly instanceId: string,
    readonly prefix: string,
    private readonly onChange?: () => void,
    options: PartitionerOptions = {},
  ) {
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#ttlMs = options.ttlMs ?? this.#heartbeatMs * 3;
    this.#log = (options.log ?? defaultLog).child({
      component: "work-partitioner",
      bucket: this.bucket,
      instance: instanceId,
    });
  }

  get bucket(): string {
    return `${this.prefix}_instances`;
  }

  /** Announces this instance and watches the others. */
  async start(js: JetStreamClient): Promise<void> {
    // Created, or updated when it exists with another TTL or description (an earlier version's).
    const kv = await ensureBucket(
      js,
      {
        name: this.bucket,
        ttlMs: this.#ttlMs,
        history: 1,
        description: `live instances of ${this.prefix}`,
      },
      this.#log,
    );
    this.#kv = kv;
    await this.#beat();
    const watch = await kv.watch({ include: "updates" as never });
    let stopped = false;
    this.#stopWatch = () => {
      stopped = true;
      watch.stop();
    };
    void (async () => {
      for await (const _ of watch) {
        // One failed read must not end the watch: the next update or heartbeat reads again.
        await this.#refresh().catch((err: unknown) =>
          this.#log.warn("work partitioner could not read the live instances", {
            error: String(err),
          }),
        );
      }
    })().then(
      () => stopped || this.#log.error("work partitioner watch ended; instance changes are seen only on heartbeats"),
      (err: unknown) => this.#log.error("work partitioner watch failed; instance changes are seen only on heartbeats", { error: String(err) }),
    );
    this.#timer = setInterval(() => void this.#beat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  /** Leaves the group at once (others take over this instance's keys). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopWatch?.();
    await this.#kv?.delete(this.instanceId).catch(() => {});
    this.#kv = undefined;
  }

  activeInstances(): string[] {
    return [...this.#instances];
  }

  /** True when this instance owns the work item. */
  isMyWork(key: string): boolean {
    return this.ownerOf(key) === this.instanceId;
  }

  ownerOf(key: string): string | undefined {
    let best: string | undefined;
    let bestWeight = -1n;
    for (const instance of this.#instances) {
      const w = weight(instance, key);
      if (w > bestWeight || (w === bestWeight && instance < best!)) {
        best = instance;
        bestWeight = w;
      }
    }
    return best;
  }

  async #beat(): Promise<void> {
    try {
      await this.#kv?.put(this.instanceId, JSON.stringify({ at: Date.now() }));
      await this.#refresh();
      if (this.#failedBeats > 0)
        this.#log.info("work partitioner heartbeat recovered", {
          failed: this.#failedBeats,
        });
      this.#failedBeats = 0;
    } catch (err) {
      // Retried on the next tick; past the TTL the other instances take this one's keys.
      if (this.#failedBeats++ === 0)
        this.#log.warn("work partitioner heartbeat failed", {
          error: String(err),
          ttlMs: this.#ttlMs,
        });
    }
  }

  /** Reads the live set (entries written within the TTL; the bucket's TTL also purges them). */
  async #refresh(): Promise<void> {
    const kv = this.#kv;
    if (!kv) return;
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const live: string[] = [];
    const now = Date.now();
    for (const key of keys) {
      const entry = await kv.get(key);
      if (entry && entry.operation === "PUT" && now - entry.created.getTime() <= this.#ttlMs) live.push(key);
    }
    live.sort();
    const changed = live.join("\n") !== this.#instances.join("\n");
    this.#instances = live;
    if (changed) this.onChange?.();
  }
}
