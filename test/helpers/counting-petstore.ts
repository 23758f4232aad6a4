/**
 * The petstore example's handlers in an extension process (NATS_URL), printing one line per addPet
 * it receives (`{"message":"addPet received","name":…}`): the fault harness counts them to prove
 * that no POST was executed twice. HANDLER_DELAY_MS makes every handler take that long, as one doing
 * real work would: requests are then in flight on an instance when it is killed.
 *
 * For the cluster run (test/helpers/cluster.ts): LOG_READS=1 prints `{"message":"read served"}` per
 * findPets/findPetById (requests per instance), and KV_BUCKET=<bucket> makes addPet store the pet
 * under its name in that (replicated) bucket with `putWithRetry` before it answers 201, so a 201
 * means the bucket acknowledged the write, through a stream-leader election if need be.
 */
import type { KV } from "nats";
import { Extension, openBucket, putWithRetry } from "@symphony-codegen/runtime";
import { register } from "../../examples/petstore/src/generated/index.js";
import { createPetStore } from "../../examples/petstore/src/handlers.js";

const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
const delayMs = Number(process.env.HANDLER_DELAY_MS ?? 0);
const work = () => new Promise((r) => setTimeout(r, delayMs));
const logReads = process.env.LOG_READS === "1";
const bucket = process.env.KV_BUCKET;
let kv: KV | undefined;
/** Synchronous writes (stdout is a pipe): a line is out before the reply, even under kill -9. */
const line = (entry: Record<string, unknown>) => process.stdout.write(JSON.stringify(entry) + "\n");
const read = async () => {
  if (logReads) line({ message: "read served" });
  await work();
};
const ext = new Extension("Petstore", "petstore").withDescription("The petstore example, counting addPet");

await ext.runWithSetup(async (e) => {
  if (bucket) kv = await openBucket(await e.jetstream(), bucket);
  await register(e, {
    ...store,
    findPets: async (req, ctx) => (await read(), store.findPets(req, ctx)),
    findPetById: async (req, ctx) => (await read(), store.findPetById(req, ctx)),
    addPet: async (req, ctx) => {
      line({ message: "addPet received", name: req.body.name });
      await work();
      const created = store.addPet(req, ctx);
      if (kv) {
        const started = Date.now();
        let attempts = 1;
        // PUT_RETRY=0: a plain kv.put, to measure what the retry is for.
        if (process.env.PUT_RETRY === "0") await kv.put(req.body.name, JSON.stringify(req.body));
        else await putWithRetry(kv, req.body.name, JSON.stringify(req.body), { deadlineMs: 15_000, onRetry: (n) => (attempts = n) });
        if (attempts > 1) line({ message: "kv put retried", name: req.body.name, attempts, ms: Date.now() - started });
      }
      return created;
    },
  });
});
