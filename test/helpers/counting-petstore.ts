/**
 * The petstore example's handlers in an extension process (NATS_URL), printing one line per addPet
 * it receives (`{"message":"addPet received","name":…}`): the fault harness counts them to prove
 * that no POST was executed twice.
 */
import { Extension } from "@symphony-codegen/runtime";
import { register } from "../../examples/petstore/src/generated/index.js";
import { createPetStore } from "../../examples/petstore/src/handlers.js";

const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
const ext = new Extension("Petstore", "petstore").withDescription("The petstore example, counting addPet");

await ext.runWithSetup(async (e) => {
  await register(e, {
    ...store,
    addPet: (req, ctx) => {
      // Written synchronously (stdout is a pipe): a line is out before the reply is, even under kill -9.
      process.stdout.write(JSON.stringify({ message: "addPet received", name: req.body.name }) + "\n");
      return store.addPet(req, ctx);
    },
  });
});
