/**
 * hello1: hello0 plus a description and capabilities. Capabilities name the
 * NATS subjects the extension subscribes to or publishes on; when a key is
 * provisioned they become its default permissions.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello1.ts
 */
import { Extension } from "@symphony-codegen/runtime";
import { createExtension as hello0 } from "./hello0.js";
import { isMain, runMain } from "./run.js";

export function createExtension(): Extension {
  return hello0()
    .withDescription("A simple TypeScript extension")
    .addCapability("sub", "extensions.hello", "Hello World")
    .addCapability("sub", "extensions.hello.hello", "Answer greetings")
    .addCapability("pub", "events.hello", "Emit greeting events");
}

if (isMain(import.meta.url)) await runMain(createExtension());
