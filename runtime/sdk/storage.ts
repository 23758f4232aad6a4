/**
 * JetStream key-value storage: opening declared buckets (typed errors instead of
 * generic ones), creating them with the cluster's replica count, and batch writes.
 */
import { nanos, millis, type JetStreamClient, type KV, type NatsConnection, type StreamConfig } from "nats";
import { BucketNotFound, KeyNotFound, Timeout } from "../core/errors.js";
import { log as defaultLog, type Logger } from "../core/log.js";
import { SUBJECTS, type BucketEntry } from "./platform.js";
import { backoffMs } from "../core/retry.js";

/** Opens an existing bucket; `BucketNotFound` when it does not exist. */
export async function openBucket(js: JetStreamClient, bucket: string): Promise<KV> {
  try {
    const kv = await js.views.kv(bucket, { bindOnly: true });
    await kv.status(); // binding is lazy; this asks the server whether the bucket exists
    return kv;
  } catch (err) {
    // A JetStream API that did not answer (a cluster still electing the stream's leader) is no proof the bucket is missing.
    if ((err as { code?: unknown }).code === "TIMEOUT") throw new Timeout(`Bucket ${JSON.stringify(bucket)}: JetStream did not answer in time`, { cause: err });
    throw new BucketNotFound(`Bucket ${JSON.stringify(bucket)} does not exist`, { cause: err });
  }
}

/** Value of a key as bytes; `KeyNotFound` when absent or deleted. */
export async function getValue(kv: KV, bucket: string, key: string): Promise<Uint8Array> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== "PUT") throw new KeyNotFound(`Key ${JSON.stringify(key)} not found in bucket ${JSON.stringify(bucket)}`);
  return entry.value;
}

/**
 * The cluster's replica factor (`cirata.services.cluster.info`); 1 when no platform answers,
 * with a warning saying why (buckets created then have one replica).
 */
export async function clusterReplicas(nc: NatsConnection, logger: Logger = defaultLog): Promise<number> {
  let reason: string;
  try {
    const reply = await nc.request(SUBJECTS.clusterInfo, "{}", {
      timeout: 2_000,
    });
    const { replicas } = JSON.parse(new TextDecoder().decode(reply.data)) as {
      replicas?: unknown;
    };
    if (typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 1) return replicas;
    reason = `the answer has no replica count (replicas: ${JSON.stringify(replicas)})`;
  } catch (err) {
    const code = (err as { code?: string }).code;
    reason = code === "503" ? "no platform answers" : code === "TIMEOUT" ? "no answer within 2 s" : (err as Error).message;
  }
  logger.warn("cluster replica count unknown; using 1 replica", {
    subject: SUBJECTS.clusterInfo,
    reason,
  });
  return 1;
}

/** A KV bucket as it should be: what `ensureBucket` creates, or updates an existing bucket to. */
export interface BucketConfig {
  name: string;
  description: string;
  /** Entry lifetime in ms; 0 = no expiry. */
  ttlMs: number;
  /** Replica count; left as it is on an existing bucket when undefined (1 on a new one). */
  replicas?: number;
  /** Values kept per key (creation only). */
  history?: number;
}

/** nats-server refuses to create R>1 when it is not clustered (or has too few peers); the bucket is then R=1, with a warning. */
const NOT_CLUSTERED = /replicas > 1 not supported|insufficient resources|no suitable peers/i;

/**
 * Creates a KV bucket, or brings an existing one to `config`: `js.views.kv(name, opts)` applies
 * options only when it creates, so a re-registration with a new TTL, description or replica count
 * would change nothing. Each change is logged; replicas the server cannot provide are a warning
 * naming requested and actual.
 */
export async function ensureBucket(js: JetStreamClient, config: BucketConfig, logger: Logger = defaultLog): Promise<KV> {
  const jsm = await js.jetstreamManager();
  const stream = `KV_${config.name}`;
  const existing = await jsm.streams.info(stream).catch((err: Error) => {
    if (err.message === "stream not found") return undefined;
    throw err;
  });
  const replicasNotProvided = (actual: number) =>
    logger.warn("bucket replicas not honoured: the NATS server is not clustered", { bucket: config.name, requested: config.replicas, actual });
  if (!existing) {
    const opts = {
      description: config.description,
      ttl: config.ttlMs,
      history: config.history ?? 1,
    };
    try {
      return await js.views.kv(config.name, {
        ...opts,
        replicas: config.replicas ?? 1,
      });
    } catch (err) {
      if (!(config.replicas! > 1 && NOT_CLUSTERED.test((err as Error).message))) throw err;
      replicasNotProvided(1);
      return js.views.kv(config.name, { ...opts, replicas: 1 });
    }
  }
  const was = existing.config;
  const want: Partial<StreamConfig> = {
    max_age: nanos(config.ttlMs),
    description: config.description,
  };
  // A server outside a cluster (stream info without `cluster`) accepts R>1 in an update but keeps one copy: not asked for.
  if (config.replicas !== undefined && config.replicas > 1 && !existing.cluster) replicasNotProvided(1);
  else if (config.replicas !== undefined) want.num_replicas = config.replicas;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (was.max_age !== want.max_age) changes.ttlMs = { from: millis(was.max_age), to: config.ttlMs };
  if ((was.description ?? "") !== want.description) changes.description = { from: was.description ?? "", to: want.description };
  if (want.num_replicas !== undefined && was.num_replicas !== want.num_replicas) changes.replicas = { from: was.num_replicas, to: want.num_replicas };
  if (Object.keys(changes).length > 0) {
    const next: StreamConfig = { ...was, ...want };
    // The server refuses a duplicate window longer than max_age (it defaults to min(2 min, max_age) on creation).
    if (next.max_age > 0 && next.duplicate_window > next.max_age) next.duplicate_window = next.max_age;
    try {
      await jsm.streams.update(stream, next);
    } catch (err) {
      if (!(changes.replicas && NOT_CLUSTERED.test((err as Error).message))) throw err;
      replicasNotProvided(was.num_replicas);
      delete changes.replicas;
      if (Object.keys(changes).length > 0)
        await jsm.streams.update(stream, {
          ...next,
          num_replicas: was.num_replicas,
        });
    }
    if (Object.keys(changes).length > 0) logger.info("bucket updated", { bucket: config.name, changes });
  }
  return js.views.kv(config.name, { bindOnly: true });
}

/** Creates or updates declared buckets (what the platform does when an extension registers); `ttl` in seconds. */
export async function ensureBuckets(js: JetStreamClient, buckets: readonly BucketEntry[], replicas: number, logger: Logger = defaultLog): Promise<void> {
  for (const b of buckets)
    await ensureBucket(
      js,
      {
        name: b.name,
        description: b.description,
        ttlMs: b.ttl * 1000,
        replicas,
        history: 1,
      },
      logger,
    );
}

export interface PutRetryOptions {
  /** The write settles (acknowledged or failed) within this many ms, retries included; default 20 s. */
  deadlineMs?: number;
  /** Called before each further attempt (2-based) with the error that made it necessary. */
  onRetry?: (attempt: number, error: Error) => void;
}

/**
 * Errors a replicated bucket gives while its stream has no leader (an election after the leader's
 * server died takes ~5 s: measured 503s for 4.5–5.4 s) or while our connection moves to another
 * server: no responders, JetStream "temporarily unavailable" (503), a publish timeout, a disconnect.
 */
const TRANSIENT_CODES = new Set(["503", "TIMEOUT", "DISCONNECT", "CONNECTION_CLOSED", "CONNECTION_REFUSED", "CONNECTION_DRAINING"]);
const TRANSIENT_MESSAGE = /no responders|temporarily unavailable|timeout|disconnect/i;
function transient(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { code?: number }; message?: string };
  return TRANSIENT_CODES.has(String(e.code)) || e.api_error?.code === 503 || TRANSIENT_MESSAGE.test(e.message ?? "");
}

/**
 * `kv.put` that outlasts a stream-leader election: transient errors are retried with backoff
 * (runtime/core/retry.ts) until `deadlineMs`; any other error, or the deadline, is final. Putting the same
 * value again is harmless, so an attempt that timed out after the server stored it costs nothing.
 * Resolves with the revision once the bucket acknowledged the write.
 */
export async function putWithRetry(kv: KV, key: string, value: Uint8Array | string, options: PutRetryOptions = {}): Promise<number> {
  const deadline = Date.now() + (options.deadlineMs ?? 20_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await kv.put(key, value);
    } catch (err) {
      const wait = backoffMs(attempt - 1);
      if (!transient(err) || Date.now() + wait >= deadline) throw err;
      options.onRetry?.(attempt + 1, err as Error);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export interface BatchEntry {
  key: string;
  value: Uint8Array | string;
}

export interface BatchPutResult {
  total: number;
  succeeded: number;
  failed: number;
  /** Failed key → error message. */
  errors: Record<string, string>;
}

/**
 * Writes all entries concurrently (publishes first, acks collected together);
 * never fails fast: a bad key does not stop the others.
 */
async function putAll(js: JetStreamClient, bucket: string, entries: readonly BatchEntry[]): Promise<BatchPutResult> {
  const kv = await openBucket(js, bucket);
  const results = await Promise.allSettled(entries.map((e) => kv.put(e.key, e.value)));
  const errors: Record<string, string> = {};
  results.forEach((r, i) => {
    if (r.status === "rejected") errors[entries[i]!.key] = r.reason instanceof Error ? r.reason.message : String(r.reason);
  });
  const failed = Object.keys(errors).length;
  return {
    total: entries.length,
    succeeded: entries.length - failed,
    failed,
    errors,
  };
}

export const kvBatch = { putAll };
