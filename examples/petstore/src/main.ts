import { Extension } from "@symphony-codegen/runtime";
import { register } from "./generated/index.js";
import { createPetStore } from "./handlers.js";

const ext = new Extension("Petstore", "petstore").withDescription("The OpenAPI petstore as a Symphony extension");
if (process.env.SYMPHONY_TOKEN) ext.withToken(process.env.SYMPHONY_TOKEN);

await ext.runWithSetup(async (ext) => {
  await register(ext, createPetStore([{ id: 1, name: "Rex", tag: "dog" }]));
});
