/**
 * Weather extension. GEOCODING_API_URL and WEATHER_API_URL default to Open-Meteo's public APIs;
 * `WEATHER_API_URL=fake` starts the stand-in one (fake-open-meteo.ts) in this process and uses it
 * for both, to try the extension without internet. Run `npm run build` first: it builds the page.
 *
 *   npx symphony-codegen dev --run "WEATHER_API_URL=fake npx tsx examples/weather/src/main.ts"
 */
import { runMain } from "@symphony-codegen/runtime";
import { createExtension, optionsFromEnv, setupWith } from "./extension.js";
import { FakeOpenMeteo } from "./fake-open-meteo.js";

const fake = process.env.WEATHER_API_URL === "fake" ? new FakeOpenMeteo() : undefined;
const fakeUrl = fake ? await fake.listen() : undefined;
const options = optionsFromEnv(fakeUrl ? { ...process.env, WEATHER_API_URL: fakeUrl, GEOCODING_API_URL: fakeUrl } : process.env);
const ext = createExtension();
if (fake) ext.onShutdown(() => fake.close());
await runMain(() => ext.runWithSetup(setupWith(options)), ext.log);
