/**
 * The hello extension: the last tutorial step (hello5).
 *
 *   npx symphony-codegen dev                    # prints a token
 *   SYMPHONY_TOKEN=<token> npx tsx examples/hello/src/main.ts
 */
import { createExtension, setup } from "./hello5.js";
import { runMain } from "./run.js";

await runMain(createExtension(), (ext) => setup(ext));
