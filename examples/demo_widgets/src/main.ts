/**
 * Demo Widgets extension. MANAGEMENT_URL is the management service (default
 * http://127.0.0.1:18080); `MANAGEMENT_URL=fake` starts the stand-in one (fake-management.ts)
 * in this process, to try the dashboard without a service.
 *
 *   npx symphony-codegen dev --run "MANAGEMENT_URL=fake npx tsx examples/demo_widgets/src/main.ts"
 */
import { runMain } from "@symphony-codegen/runtime";
import { createExtension, optionsFromEnv, setupWith } from "./extension.js";
import { FakeManagement } from "./fake-management.js";

const fake = process.env.MANAGEMENT_URL === "fake" ? new FakeManagement() : undefined;
const options = optionsFromEnv(fake ? { ...process.env, MANAGEMENT_URL: await fake.listen() } : process.env);
const ext = createExtension(options);
if (fake) ext.onShutdown(() => fake.close());
await runMain(() => ext.runWithSetup(setupWith(options)), ext.log);
