/**
 * Clock extension.
 *
 *   npx symphony-codegen dev                    # prints a token
 *   SYMPHONY_TOKEN=<token> npx tsx examples/clock/src/main.ts
 */
import { createExtension, setup } from "./extension.js";
import { runMain } from "@symphony-codegen/runtime";

// Credentials: SYMPHONY_TOKEN (token exchange), else NATS_URL (development server).
const ext = createExtension();
await runMain(() => ext.runWithSetup(setup), ext.log);
