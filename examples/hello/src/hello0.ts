/**
 * hello0: the minimal extension. It connects, registers itself in the Symphony
 * registry, publishes its status every 30 seconds and stops cleanly on Ctrl+C.
 *
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/hello0.ts
 */
import { Extension } from "@symphony-codegen/runtime";
import { isMain, runMain } from "./run.js";

export function createExtension(): Extension {
  return new Extension("Hello World", "hello");
}

if (isMain(import.meta.url)) await runMain(createExtension());
