/**
 * The petstore example's handlers in an extension process (NATS_URL), printing one line per addPet
 * it receives (`{"message":"addPet received","name":…}`): the fault harness counts them to prove
 * that no POST was executed twice. HANDLER_DELAY_MS makes every handler take that long, as one doing
 * real work would: requests are then in flight on an instance when it is killed.
 */
import { Extension } from "@symphony-codegen/runtime";
import { register } from "../../examples/petstore/src/generated/index.js";
import { createPetStore } from "../../examples/petstore/src/handlers.js";

const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
const delayMs = Number(process.env.HANDLER_DELAY_MS ?? 0);
const work = () => new Promise((r) => setTimeout(r, delayMs));
const ext = new Extension("Petstore", "petstore").withDescription("The petstore example, counting addPet");

await ext.runWithSetup(async (e) => {
  await register(e, {
    ...store,
    findPets: async (req, ctx) => (await work(), store.findPets(req, ctx)),
    findPetById: async (req, ctx) => (await work(), store.findPetById(req, ctx)),
    addPet: async (req, ctx) => {
      // Written synchronously (stdout is a pipe): the line is out before the reply, even under kill -9.
      process.stdout.write(JSON.stringify({ message: "addPet received", name: req.body.name }) + "\n");
      await work();
      return store.addPet(req, ctx);
    },
  });
});
