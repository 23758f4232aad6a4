/**
 * JetStream key-value storage: opening declared buckets (typed errors instead of
 * generic ones), creating them with the cluster's replica count, and batch writes.
 */
import type { JetStreamClient, KV, NatsConnection } from "nats";
import { BucketNotFound, KeyNotFound } from "./errors.js";
import { SUBJECTS, type BucketEntry } from "./platform.js";

/** Opens an existing bucket; `BucketNotFound` when it does not exist. */
export async function openBucket(js: JetStreamClient, bucket: string): Promise<KV> {
  try {
    const kv = await js.views.kv(bucket, { bindOnly: true });
    await kv.status(); // binding is lazy; this asks the server whether the bucket exists
    return kv;
  } catch (err) {
    throw new BucketNotFound(`Bucket ${JSON.stringify(bucket)} does not exist`, { cause: err });
  }
}

/** Value of a key as bytes; `KeyNotFound` when absent or deleted. */
export async function getValue(kv: KV, bucket: string, key: string): Promise<Uint8Array> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== "PUT") throw new KeyNotFound(`Key ${JSON.stringify(key)} not found in bucket ${JSON.stringify(bucket)}`);
  return entry.value;
}

/** The cluster's replica factor (`cirata.services.cluster.info`); 1 when no platform answers. */
export async function clusterReplicas(nc: NatsConnection): Promise<number> {
  try {
    const reply = await nc.request(SUBJECTS.clusterInfo, "{}", { timeout: 2_000 });
    const { replicas } = JSON.parse(new TextDecoder().decode(reply.data)) as { replicas?: unknown };
    return typeof replicas === "number" && replicas >= 1 ? replicas : 1;
  } catch {
    return 1;
  }
}

/** Creates or updates declared buckets (what the platform does when an extension registers). */
export async function ensureBuckets(js: JetStreamClient, buckets: readonly BucketEntry[], replicas: number): Promise<void> {
  for (const b of buckets) {
    await js.views.kv(b.name, { description: b.description, ttl: b.ttl * 1000, replicas, history: 1 });
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
  return { total: entries.length, succeeded: entries.length - failed, failed, errors };
}

export const kvBatch = { putAll };
