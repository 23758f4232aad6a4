/**
 * `npm run fuzz [-- --cases N --seed S --concurrency C --case I[,J…] --no-write]`: generated envelopes
 * and HTTP requests against the example services and the gateway as real processes (test/fuzz/run.ts).
 * Prints the figures and every finding with a replayable example; a full run writes the figures to
 * docs/reliability.md (between its fuzz markers). `--case` replays single cases of a seed and prints them whole.
 * Exits 1 when a case was lost, got an unexpected 5xx or a malformed answer, or a prototype changed.
 */
import { randomInt } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeDocSection } from "../test/helpers/doc-section.js";
import { figuresMarkdown, findingsMarkdown, loggedMarkdown } from "../test/fuzz/report.js";
import { replayOf, runFuzz } from "../test/fuzz/run.js";
import { ROOT } from "../test/fuzz/processes.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "100000" },
    seed: { type: "string" },
    concurrency: { type: "string", default: "16" },
    case: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});

const integer = (name: string, text: string | undefined): number => {
  if (text === undefined || !/^-?\d+$/.test(text)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(text)}`);
  return Number(text);
};
const seed = values.seed === undefined ? randomInt(2 ** 31) : integer("seed", values.seed);
const only = values.case?.split(",").map((c) => integer("case", c));
const cases = only ? only.length : integer("cases", values.cases);

process.stderr.write(`fuzz: seed ${seed}, ${cases} cases${only ? ` (replaying ${only.join(", ")})` : ""}\n`);
const report = await runFuzz({
  cases,
  seed,
  only,
  concurrency: integer("concurrency", values.concurrency),
  onProgress: (done, total, t) => process.stderr.write(`fuzz: ${done}/${total}, lost ${t.lost}, 5xx ${t["5xx"]}\n`),
  onCase: only
    ? (c, outcome) =>
        process.stdout.write(
          `case ${c.index}: ${c.transport} ${c.op.target.prefix}.${c.op.model.endpoint} ${c.kind} (${c.note}) → ${outcome.cls}: ${outcome.detail}\n${replayOf(c)}\n\n`,
        )
    : undefined,
});

const figures = figuresMarkdown(report);
process.stdout.write(`\n${figures}\n\nFindings:\n${findingsMarkdown(report)}\n\nLogged by the processes:\n${loggedMarkdown(report)}\n`);

if (!only && !values["no-write"]) {
  const summary = report.findings.map(
    (f) => `- ${f.cls} ×${f.count.toLocaleString("en-US")} over ${f.transport}: ${f.detail.slice(0, 160)} (${f.operations.join(", ")}; ${f.kinds.join(", ")})`,
  );
  const file = path.join(ROOT, "docs", "reliability.md");
  writeDocSection(
    file,
    "fuzz",
    [
      `Measured with \`npm run fuzz -- --seed ${seed}${cases === 100_000 ? "" : ` --cases ${cases}`}\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${report.concurrency} requests in flight).`,
      "",
      figures,
      "",
      report.findings.length === 0 ? "Findings: none." : `Findings (kinds of failure, each with its count):\n\n${summary.join("\n")}`,
    ].join("\n"),
  );
  process.stdout.write(`\nwrote the figures to ${path.relative(process.cwd(), file)}\n`);
}
process.exitCode = report.failures === 0 && report.prototypesUntouched ? 0 : 1;
