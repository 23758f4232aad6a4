/**
 * `npm run outages`: how an extension process lives through NATS outages, as a supervisor sees it
 * (test/helpers/example-process.ts): the petstore example keeps running through an outage of
 * `--outage` seconds (default 60, three times nats.js's own ~21 s budget) and serves again; then
 * the time from SIGTERM to exit with NATS up and with NATS gone. Prints the figures and writes them
 * into docs/reliability.md between the outages markers.
 *
 *   npm run outages                         # 60 s outage
 *   npm run outages -- --outage 120 --no-write
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { writeDocSection } from "../test/helpers/doc-section.js";
import { findPets, restartableNats, startExample, until } from "../test/helpers/example-process.js";
import { ROOT } from "../test/helpers/specs.js";

const { values } = parseArgs({ options: { outage: { type: "string", default: "60" }, "no-write": { type: "boolean", default: false } } });
const outageMs = Number(values.outage) * 1000;

const nats = await restartableNats();
const url = nats.current().url;
const running = (child: ReturnType<typeof startExample>) => until("the extension to run", () => child.hasLine("extension running"), 30_000);

// 1. An outage longer than any retry budget nats.js would give itself.
const survivor = startExample({ NATS_URL: url });
await running(survivor);
await nats.stop();
console.log(`nats-server stopped; waiting ${outageMs / 1000} s`);
await new Promise((r) => setTimeout(r, outageMs));
const aliveAfterOutage = survivor.process.exitCode === null;
await nats.start();
const restarted = Date.now();
await until("a reply after the outage", async () => (await findPets(url)) === 200, 60_000);
const servedAfterMs = Date.now() - restarted;
const reconnected = survivor.lines.find((l) => l.message === "reconnected to NATS");

// 2. SIGTERM with NATS up: drains and exits.
let sent = Date.now();
survivor.process.kill("SIGTERM");
const exitWithNats = await survivor.exited;
const sigtermWithNatsMs = Date.now() - sent;

// 3. SIGTERM with NATS gone: bounded by the shutdown deadline (10 s by default).
const orphan = startExample({ NATS_URL: url });
await running(orphan);
await nats.stop();
await until("the disconnect to be noticed", () => orphan.hasLine("disconnected from NATS; reconnecting"));
sent = Date.now();
orphan.process.kill("SIGTERM");
const exitWithoutNats = await orphan.exited;
const sigtermWithoutNatsMs = Date.now() - sent;
const stopped = orphan.lines.find((l) => l.message === "extension stopped");

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const table = [
  "| measured | result |",
  "|---|---|",
  `| outage of ${seconds(outageMs)} (nats.js alone gives up after ~21 s) | still running: ${aliveAfterOutage ? "yes" : "**no**"}; reconnected after ${reconnected?.attempts ?? "?"} attempts; first reply ${seconds(servedAfterMs)} after the server came back |`,
  `| SIGTERM, NATS up | exit ${exitWithNats} after ${seconds(sigtermWithNatsMs)} |`,
  `| SIGTERM, NATS unreachable | exit ${exitWithoutNats} after ${seconds(sigtermWithoutNatsMs)} (${stopped?.drained ? "drained" : "closed at the deadline"}; deadline 10 s) |`,
].join("\n");
const summary = `Measured with \`npm run outages -- --outage ${outageMs / 1000}\` (scripts/outages.ts) on ${new Date().toISOString().slice(0, 10)}.`;
console.log(`\n${table}\n\n${summary}`);
if (!values["no-write"]) {
  writeDocSection(path.join(ROOT, "docs/reliability.md"), "outages", `${table}\n\n${summary}`);
  console.log("\nwrote docs/reliability.md");
}
process.exitCode = aliveAfterOutage && exitWithNats === 0 && exitWithoutNats === 0 ? 0 : 1;
