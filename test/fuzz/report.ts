/** A fuzz report as Markdown: the figures table (stdout and docs/reliability.md) and the findings. */
import type { FuzzReport, Tally } from "./run.js";

const n = (x: number) => x.toLocaleString("en-US");
const mib = (kib: number | undefined) => (kib === undefined ? "–" : `${(kib / 1024).toFixed(1)} MiB`);

function tallyRow(name: string, t: Tally): string {
  return `| ${name} | ${n(t.cases)} | ${n(t.answered)} | ${n(t.lost)} | ${n(t["2xx"])} | ${n(t["4xx"])} | ${n(t["5xx-designed"])} | ${n(t["5xx"])} | ${n(t["bad-reply"] + t["bad-4xx"])} | ${n(t.unsent)} |`;
}

/** The figures: cases and their outcomes per path, each process's RSS and prototypes, the run's parameters. */
export function figuresMarkdown(r: FuzzReport): string {
  const rate = r.cases / (r.durationMs / 1000);
  return [
    `| path | cases | answered | lost | 2xx | 4xx | 5xx by design | 5xx unexpected | malformed answer | not sent |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    tallyRow("NATS → service", r.byTransport.nats),
    tallyRow("HTTP → gateway → service", r.byTransport.gateway),
    tallyRow("**all**", r.total),
    ``,
    `| process | RSS before | RSS after | RSS peak | \`Object.prototype\` (and Array, Function) |`,
    `|---|---:|---:|---:|---|`,
    ...r.processes.map(
      (p) =>
        `| ${p.name}${p.alive ? "" : ` (**exited**${p.exit ? `: ${p.exit.how}` : ""})`} | ${mib(p.rssBeforeKiB)} | ${mib(p.rssAfterKiB)} | ${mib(p.rssMaxKiB)} | ${
          p.prototypesChanged === undefined
            ? p.name === "nats-server"
              ? "n/a (not Node)"
              : "**not probed**"
            : p.prototypesChanged.length === 0
              ? "untouched"
              : `**changed**: ${p.prototypesChanged.join(", ")}`
        } |`,
    ),
    ``,
    `Seed ${r.seed}, ${n(r.cases)} cases, ${r.concurrency} in flight, ${(r.durationMs / 1000).toFixed(1)} s (${n(Math.round(rate))} cases/s).`,
  ].join("\n");
}

/** Each kind of failure once: how often, and the first case that showed it (with how to replay it). */
export function findingsMarkdown(r: FuzzReport): string {
  if (r.findings.length === 0) return "No findings: every case was answered once, with no unexpected 5xx and no malformed answer.";
  return r.findings
    .map((f) =>
      [
        `- **${f.cls}** ×${n(f.count)} over ${f.transport}: ${f.detail}`,
        `  operations: ${f.operations.join(", ")}; kinds: ${f.kinds.join(", ")}`,
        `  case ${f.example.index} (${f.example.note}); replay: \`npm run fuzz -- --seed ${r.seed} --case ${f.example.index}\``,
        "  ```",
        ...f.example.replay.split("\n").map((l) => `  ${l}`),
        "  ```",
      ].join("\n"),
    )
    .join("\n");
}

/** What the processes logged at warn or error level. */
export function loggedMarkdown(r: FuzzReport): string {
  const lines = r.processes.flatMap((p) => p.logged.map((l) => `- ${p.name}: ${l.level} "${l.message}" ×${n(l.count)}`));
  for (const p of r.processes)
    if (p.exit) lines.push(`- ${p.name} **exited during the run** (${p.exit.how}); its last output:\n\n\`\`\`\n${p.exit.tail}\n\`\`\``);
  return lines.length > 0 ? lines.join("\n") : "- nothing at warn or error level";
}
