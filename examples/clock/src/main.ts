/**
 * Clock extension.
 *
 *   npx symphony-codegen dev                    # prints a token
 *   SYMPHONY_TOKEN=<token> npx tsx examples/clock/src/main.ts
 */
import { createExtension, setup } from "./extension.js";
import { runMain } from "./run.js";

await runMain(createExtension(), setup);
