/**
 * Serving at scale (issue 16, target 5): an extension serving every operation of a synthetic
 * Graph-shaped description (bench/scale/synthetic.ts, 12,000 operations by default), measured as
 * bench/memory.ts measures GitHub's (bench/extension.ts): fresh processes, process start →
 * registered on a real nats-server, RSS once idle, and a bare extension the same run.
 *
 * The nats-server runs with `max_payload: 8MB`: the `$SRV.INFO` reply of 12,000 endpoints (name,
 * subject, queue group, method and path each) is 2.2 MB, over the 1 MiB default, so a service this
 * size needs a server configured for it (docs/protocol.md, "Large specs").
 *
 *   npx tsx bench/serve-scale.ts [--quick] [--runs N] [--ops N]
 */
import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startNatsServer } from "../dev/nats-server.js";
import { buildExtension, extensionResults, extensionRows, measureExtension } from "./extension.js";
import { log, machine, MiB, OUT, ratio, targetRow, updateDoc, writeResults, type Stats, type Target } from "./lib.js";
import { syntheticDocument } from "./scale/synthetic.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    ops: { type: "string" },
  },
});
const quick = values.quick!;
const label = quick ? "quick" : "full";
const runs = Number(values.runs ?? (quick ? 1 : 3));
const operations = Number(values.ops ?? (quick ? 2000 : 12000));
/** Issue 16's limits, for 12,000 operations. */
const LIMITS = { registeredS: 3, rssMiB: 200 };

const dir = path.join(OUT, "serve-scale", String(operations));
mkdirSync(dir, { recursive: true });
const spec = path.join(dir, "graph-shaped.json");
writeFileSync(spec, JSON.stringify(syntheticDocument(operations).document));
log(`serve-scale bench (${label}): synthetic Graph-shaped description, ${operations} operations, ${runs} run(s), ${machine()}`);
const { compiled, serverScript, generateMs } = await buildExtension(spec, dir);
log(`  generated and compiled in ${(generateMs / 1000).toFixed(1)} s`);

const nats = await startNatsServer({ config: "max_payload: 8MB\n" });
const m = await measureExtension(serverScript, compiled, nats.url, runs).finally(() => nats.stop());

const ratios = { scaleRssIdleOverBareExtension: m.rssIdleOverBare };
const rssMiB = (st: Stats) => Math.round(st.median / MiB);
const targets: Target[] =
  operations === 12000
    ? [
        { name: "12,000 operations: start to registered (s)", value: ratio(m.registeredMs.median, 1000), limit: LIMITS.registeredS, kind: "max" },
        { name: "12,000 operations: RSS idle (MiB)", value: rssMiB(m.rss), limit: LIMITS.rssMiB, kind: "max" },
        { name: "12,000 operations: RSS settled, after V8's memory reducer (MiB)", value: rssMiB(m.rssSettled), limit: LIMITS.rssMiB, kind: "max" },
      ]
    : [];
writeResults(`serve-scale-${label}`, { mode: label, runs, machine: machine(), ...extensionResults(m), ratios, targets });
const table = [
  `An extension serving all ${m.operations} operations of the synthetic Graph-shaped description (\`bench/scale/synthetic.ts\`; generated output compiled to JS with esbuild), stub handlers, on one nats-server with JetStream and \`max_payload: 8MB\` (the \`$SRV.INFO\` reply of 12,000 endpoints, 2.2 MB, exceeds the 1 MiB default); fresh process per run, ${runs} run(s); ${machine()}.`,
  "",
  ...extensionRows(m),
  ...(targets.length ? ["", "| measure | value | target | |", "|---|---|---|---|", ...targets.map(targetRow)] : []),
].join("\n");
process.stdout.write(table + "\n");
if (!quick) updateDoc(`serve-scale-${label}`, `### Serving at scale\n\n${table}`);
