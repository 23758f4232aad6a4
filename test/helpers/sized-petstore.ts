/**
 * The petstore example as a process of its own (so its memory can be read from /proc), seeded
 * with pets whose `findPetById` replies are sized against the connected server's max_payload:
 * `PET_REPLY_OFFSETS=-16,0,1,16` seeds pets 100, 101, 102, 103 whose replies are limit-16,
 * limit, limit+1 and limit+16 bytes. Used by test/reply-limits.e2e.test.ts.
 */
import { Extension } from "@symphony-codegen/runtime";
import { register, type components } from "../../examples/petstore/src/generated/index.js";
import { createPetStore } from "../../examples/petstore/src/handlers.js";

type Pet = components["schemas"]["Pet"];

/** The pet whose wrapped `findPetById` reply is exactly `bytes` long (ASCII name; the runtime's reply shape). */
function petOfReplySize(id: number, bytes: number): Pet {
  const pet = { id, name: "", tag: "sized" };
  const overhead = JSON.stringify({ body: pet, statuscode: 200, contenttype: "application/json" }).length;
  return { ...pet, name: "x".repeat(bytes - overhead) };
}

const offsets = (process.env.PET_REPLY_OFFSETS ?? "").split(",").filter(Boolean).map(Number);
const ext = new Extension("Petstore", "petstore").withNatsUrl(process.env.NATS_URL!);
await ext.runWithSetup(async (e) => {
  const limit = e.conn()!.info!.max_payload;
  await register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }, ...offsets.map((offset, i) => petOfReplySize(100 + i, limit + offset))]));
  e.log.info("sized pets seeded", { maxPayload: limit, offsets });
});
