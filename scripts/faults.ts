/**
 * `npm run faults`: idempotent requests across a nats-server restart and a kill -9 of one of two
 * instances, through the typed client and the dev gateway (test/helpers/faults.ts). Prints a table
 * and writes it into docs/reliability.md between the faults markers.
 *
 *   npm run faults                    # 2,000 requests per path over 20 s, fault at 10.5 s
 *   npm run faults -- --requests 300 --duration 5000 --no-write
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { writeDocSection } from "../test/helpers/doc-section.js";
import { faultTable, runFaults, type Fault, type FaultResult } from "../test/helpers/faults.js";
import { ROOT } from "../test/helpers/dev-cli.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "2000" },
    duration: { type: "string", default: "20000" },
    at: { type: "string" },
    "post-every": { type: "string", default: "10" },
    fault: { type: "string", multiple: true },
    "no-write": { type: "boolean", default: false },
  },
});
const requests = Number(values.requests);
const durationMs = Number(values.duration);
const faultAtMs = values.at === undefined ? Math.round(durationMs * 0.525) : Number(values.at);
const faults = (values.fault ?? ["restart", "kill"]) as Fault[];

const results: FaultResult[] = [];
for (const fault of faults) {
  console.log(`\n== ${fault} ==`);
  results.push(
    await runFaults({
      fault,
      requests,
      durationMs,
      faultAtMs,
      postEvery: Number(values["post-every"]),
      paths: ["client", "gateway"],
      log: (l) => console.log(l),
    }),
  );
}
const table = faultTable(results);
const duplicates = results.flatMap((r) => r.duplicatePosts);
const summary = [
  `Measured with \`npm run faults\` (scripts/faults.ts) on ${new Date().toISOString().slice(0, 10)}: ${requests} idempotent requests (findPets / findPetById)`,
  `per path over ${durationMs / 1000} s, plus one addPet POST per ${values["post-every"]}; handlers take 50 ms; the fault at ${faultAtMs / 1000} s. POSTs executed by the instances:`,
  `${results.map((r) => `${r.postsExecuted} (${r.fault})`).join(", ")}; executed twice: ${duplicates.length}.`,
].join("\n");
console.log("\n" + table + "\n\n" + summary);

if (!values["no-write"]) {
  writeDocSection(path.join(ROOT, "docs/reliability.md"), "faults", `${table}\n\n${summary}`);
  console.log("\nwrote docs/reliability.md");
}
const failed = results.some((r) => r.paths.some((p) => p.failed > 0)) || duplicates.length > 0;
process.exitCode = failed ? 1 : 0;
