/**
 * hello4: hello3 with state and licensing. The greeting count lives in a
 * JetStream key-value bucket the extension declares (the platform creates it
 * at registration, with the cluster's replica count), so every instance shares
 * it and it survives restarts. Greetings are reported as licensed usage, in
 * batches rather than one report per request.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello4.ts
 */
import type { KV } from "nats";
import { openBucket, type Extension } from "@symphony-codegen/runtime";
import { register, SayHello, type Handlers } from "./generated/index.js";
import { createExtension as hello3 } from "./hello3.js";
import { isMain, runMain } from "./run.js";

export const BUCKET = "hello_data";
export const COUNT_KEY = "greetings";
/** The usage dimension; it must match a dimension of the license's unit rates for prefix "hello". */
export const USAGE_DIMENSION = "greetings";

export interface Hello4Options {
  /** Report usage once this many greetings are pending (default 10). */
  reportEvery?: number;
}

export function createExtension(): Extension {
  return hello3()
    .withDescription("A simple TypeScript extension with storage and usage reporting")
    .addBucket(BUCKET, "Greeting counts", 0);
}

/** Adds one to the shared count with compare-and-set, so concurrent instances never lose an increment. */
async function increment(kv: KV): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await kv.get(COUNT_KEY);
    const live = entry && entry.operation === "PUT" ? entry : undefined;
    const next = (live ? Number(live.string()) || 0 : 0) + 1;
    try {
      if (live) await kv.update(COUNT_KEY, String(next), live.revision);
      else await kv.create(COUNT_KEY, String(next));
      return next;
    } catch (err) {
      lastError = err; // someone else wrote first: read again
    }
  }
  throw lastError;
}

export function createHandlers(ext: Extension, options: Hello4Options = {}): Handlers {
  const reportEvery = options.reportEvery ?? 10;
  let bucket: Promise<KV> | undefined;
  let pending = 0;

  // The bucket exists once the extension has registered, which follows setup: open it on first use.
  const kv = () =>
    (bucket ??= ext
      .jetstream()
      .then((js) => openBucket(js, BUCKET))
      .catch((err: unknown) => {
        bucket = undefined; // not there yet: try again on the next request
        throw err;
      }));

  const report = async (greetings: number) => {
    try {
      const result = await ext.reportUsage({ [USAGE_DIMENSION]: greetings });
      if (!result.ok) throw new Error(result.error ?? "usage report refused");
      ext.log.info("usage reported", { greetings, totals: result.totals });
    } catch (err) {
      pending += greetings; // try again with the next batch
      ext.log.warn("usage report failed", { error: (err as Error).message });
    }
  };

  return {
    async sayHello({ query }) {
      const count = await increment(await kv());
      pending += 1;
      if (pending >= reportEvery) {
        const batch = pending;
        pending = 0;
        void ext.track(report(batch));
      }
      return SayHello.ok({ message: `Hello, ${query.name ?? "World"}!`, count });
    },
  };
}

export async function setup(ext: Extension, options: Hello4Options = {}): Promise<void> {
  const state = await ext.getEnforcementState();
  if (state === "enforcement_enforced") ext.log.warn("license enforced: greetings are still answered in this example, but a real extension would stop licensed work");
  await register(ext, createHandlers(ext, options));
}

if (isMain(import.meta.url)) await runMain(createExtension(), (ext) => setup(ext));
