/**
 * `npm run cluster`: cluster failover with real processes (test/helpers/cluster.ts): a 3-node
 * nats-server cluster, an R=3 bucket, two petstore instances; kill -9 of one instance and of the
 * stream-leader server mid-load. Prints the figures and writes them into docs/reliability.md between
 * the cluster markers.
 *
 *   npm run cluster                                  # 1000 requests over 20 s
 *   npm run cluster -- --requests 300 --duration 10 --no-write
 *   npm run cluster -- --no-put-retry --no-write     # instances write with a plain kv.put
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { writeDocSection } from "../test/helpers/doc-section.js";
import { clusterTable, runCluster, type ClusterOptions } from "../test/helpers/cluster.js";
import { ROOT } from "../test/helpers/specs.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000" },
    duration: { type: "string", default: "20" },
    "no-write": { type: "boolean", default: false },
    "no-put-retry": { type: "boolean", default: false },
  },
});
const durationMs = Number(values.duration) * 1000;
const options: ClusterOptions = {
  requests: Number(values.requests),
  durationMs,
  killInstanceAtMs: Math.round(durationMs * 0.3),
  killLeaderAtMs: Math.round(durationMs * 0.5),
  writeEvery: 10,
  putRetry: !values["no-put-retry"],
  log: (line) => console.log(line),
};
const result = await runCluster(options);
const table = clusterTable(result, options);
const summary = `Measured with \`npm run cluster -- --requests ${options.requests} --duration ${durationMs / 1000}\` (scripts/cluster.ts) on ${new Date().toISOString().slice(0, 10)}.`;
console.log(`\n${table}\n\n${summary}`);
if (!values["no-write"] && !values["no-put-retry"]) {
  writeDocSection(path.join(ROOT, "docs/reliability.md"), "cluster", `${table}\n\n${summary}`);
  console.log("\nwrote docs/reliability.md");
}
process.exitCode = result.reads.failed === 0 && result.writes.missing.length === 0 ? 0 : 1;
