/**
 * Memory and start-up (issue 6, target 6; issue 16, target 5): an extension serving every operation
 * of GitHub's description (bench/extension.ts), registered on a real nats-server (JetStream on: the
 * 7 MB spec goes to the object store). Each run is a fresh process: time from process start to
 * registered, and RSS after idle (gc, 2 s, gc).
 *
 *   npx tsx bench/memory.ts [--quick] [--runs N]
 */
import path from "node:path";
import { startNatsServer } from "../dev/nats-server.js";
import { buildExtension, extensionResults, extensionRows, measureExtension } from "./extension.js";
import { log, machine, MiB, OUT, parseFlags, ratio, ROOT, specFor, targetRow, updateDoc, writeResults, type Stats, type Target } from "./lib.js";

const flags = parseFlags();
const label = flags.quick ? "quick" : "full";
const spec = await specFor(flags.quick);
const { compiled, serverScript } = await buildExtension(spec, path.join(OUT, "mem", label));

const nats = await startNatsServer();
log(`memory bench (${label}): ${path.relative(ROOT, spec)}, ${flags.runs} run(s), ${machine()}`);
const m = await measureExtension(serverScript, compiled, nats.url, flags.runs).finally(() => nats.stop());

/** For bench:check: what the generated output adds to an extension's idle RSS, as a ratio (machine-independent). */
const ratios = { rssIdleOverBareExtension: m.rssIdleOverBare };
const rssMiB = (st: Stats) => Math.round(st.median / MiB);
const targets: Target[] = [
  { name: "start to registered (s)", value: ratio(m.registeredMs.median, 1000), limit: 2, kind: "max" },
  { name: "RSS idle (MiB)", value: rssMiB(m.rss), limit: 150, kind: "max" },
  // Issue 16's limits are GitHub's: the quick spec is a third of its size.
  ...(flags.quick
    ? []
    : ([
        { name: "issue 16: RSS idle (MiB)", value: rssMiB(m.rss), limit: 80, kind: "max" },
        { name: "issue 16: RSS settled, after V8's memory reducer (MiB)", value: rssMiB(m.rssSettled), limit: 80, kind: "max" },
        { name: "issue 16: RSS, every schema built (MiB)", value: rssMiB(m.rssAllBuilt), limit: 100, kind: "max" },
      ] as const)),
];
writeResults(`memory-${label}`, { mode: label, runs: flags.runs, machine: machine(), ...extensionResults(m), ratios, targets });
if (label === "full") writeResults("memory", { ratios, targets });
const table = [
  `An extension serving all ${m.operations} operations of \`${path.relative(ROOT, spec)}\` (generated output compiled to JS with esbuild), stub handlers, on one nats-server with JetStream (the spec, embedded compressed, is too large to inline even so and goes to the object store; schemas are built on first use); fresh process per run, ${flags.runs} run(s); ${machine()}.`,
  "",
  ...extensionRows(m),
  "",
  "| measure | value | target | |",
  "|---|---|---|---|",
  ...targets.map(targetRow),
].join("\n");
process.stdout.write(table + "\n");
if (!flags.quick) updateDoc(`memory-${label}`, `### Memory and start-up\n\n${table}`);
