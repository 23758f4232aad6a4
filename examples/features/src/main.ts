import { Extension } from "@symphony-codegen/runtime";
import { register } from "./generated/index.js";
import { createFeatures } from "./handlers.js";

const ext = new Extension("Features", "features").withDescription("Every OpenAPI feature symphony-codegen supports, served on NATS");
if (process.env.SYMPHONY_TOKEN) ext.withToken(process.env.SYMPHONY_TOKEN);

await ext.runWithSetup(async (ext) => {
  await register(ext, createFeatures());
});
