/**
 * Reports: a terminal table (operation, cases, passed, failed, first failure) with each failure's
 * request, shrunk request and replay command below it; and JUnit XML with one testcase per
 * operation and check kind, whose failures carry the reason and the request.
 */
import type { ConformanceApi } from "./api.js";
import { CHECKS, type Check } from "./judge.js";
import type { CaseResult } from "./run.js";

export interface ReportContext {
  api: ConformanceApi;
  /** The command line that replays a case, without `--operation`, `--case` (e.g. `symphony-codegen test spec.yaml --nats … --prefix p --seed 7 --runs 20`). */
  replay: string;
}

const failed = (r: CaseResult) => r.failures.length > 0;
const label = (r: CaseResult) => `${r.op.id} ${r.index === undefined ? "(link)" : `#${r.index}`} ${r.kind}: ${r.note}`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

export function textReport(results: CaseResult[], ctx: ReportContext): string {
  const rows = [["operation", "cases", "passed", "failed", "first failure"]];
  for (const op of ctx.api.ops) {
    const mine = results.filter((r) => r.op === op);
    if (mine.length === 0) continue;
    const first = mine.find(failed)?.failures[0];
    const bad = mine.filter(failed).length;
    rows.push([op.id, String(mine.length), String(mine.length - bad), String(bad), first ? `${first.check}: ${first.reason}`.slice(0, 100) : ""]);
  }
  const out = [table(rows), ""];
  for (const r of results.filter(failed)) {
    out.push(`✗ ${label(r)}`);
    for (const f of r.failures) out.push(`    [${f.check}] ${f.reason}`);
    out.push(`    request: ${r.request}`);
    if (r.shrunk) out.push(`    shrunk from ${r.shrunk.fromBytes} to ${r.shrunk.toBytes} bytes: ${r.shrunk.request}`);
    if (r.index !== undefined) out.push(`    replay: ${ctx.replay} --operation ${r.op.id} --case ${r.index}`);
    out.push("");
  }
  const bad = results.filter(failed).length;
  out.push(`${results.length} cases, ${results.length - bad} passed, ${bad} failed`);
  return out.join("\n") + "\n";
}

const xml = (s: string) =>
  s
    .replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!)
    .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd]/gu, (c) => (c.length === 2 ? c : "\ufffd"));

/** Which checks apply to an operation's results: all answer checks, validation with invalid cases, links with link cases. */
function checksFor(mine: CaseResult[]): Check[] {
  return CHECKS.filter((c) => (c === "validation" ? mine.some((r) => r.kind === "invalid") : c === "links" ? mine.some((r) => r.kind === "link") : true));
}

export function junitReport(results: CaseResult[], ctx: ReportContext): string {
  const cases: string[] = [];
  let failures = 0;
  for (const op of ctx.api.ops) {
    const mine = results.filter((r) => r.op === op);
    if (mine.length === 0) continue;
    for (const check of checksFor(mine)) {
      const bad = mine.filter((r) => r.failures.some((f) => f.check === check));
      const attrs = `classname="${xml(`${ctx.api.model.title}.${op.id}`)}" name="${xml(check)}"`;
      if (bad.length === 0) {
        cases.push(`    <testcase ${attrs}/>`);
        continue;
      }
      failures++;
      const first = bad[0]!.failures.find((f) => f.check === check)!;
      const body = bad
        .map((r) => {
          const lines = [label(r), ...r.failures.filter((f) => f.check === check).map((f) => `  ${f.reason}`), `  request: ${r.request}`];
          if (r.shrunk) lines.push(`  shrunk: ${r.shrunk.request}`);
          if (r.index !== undefined) lines.push(`  replay: ${ctx.replay} --operation ${r.op.id} --case ${r.index}`);
          return lines.join("\n");
        })
        .join("\n\n");
      cases.push(`    <testcase ${attrs}>\n      <failure message="${xml(first.reason)}" type="${xml(check)}">${xml(body)}</failure>\n    </testcase>`);
    }
  }
  const name = xml(ctx.api.model.title);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="symphony-codegen test" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${name}" tests="${cases.length}" failures="${failures}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
