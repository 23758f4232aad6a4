/**
 * One trace as a page: its spans as an indented tree with a waterfall bar each (offset and
 * length in the trace's time), service, instance, status and attributes. Rendered on the server
 * from the trace store; every name and value is escaped (they come from requests and extensions).
 */
import type { SpanNode, TraceSummary } from "./traces.js";

const escape = (v: unknown) => String(v ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function traceHtml(summary: TraceSummary, roots: SpanNode[]): string {
  const t0 = summary.startTime;
  const total = Math.max(summary.durationMs, 0.001);
  const rows: string[] = [];
  const walk = (node: SpanNode, depth: number) => {
    const left = ((node.startTime - t0) / total) * 100;
    const width = Math.max((node.durationMs / total) * 100, 0.3);
    const status = node.attributes["http.response.status_code"];
    const attributes = Object.entries(node.attributes)
      .map(([k, v]) => `${escape(k)}=${escape(v)}`)
      .join(" ");
    rows.push(
      `<tr class="${node.status === "ERROR" ? "error" : ""}" data-span="${escape(node.spanId)}">` +
        `<td style="padding-left:${0.6 + depth * 1.4}rem"><span class="service">${escape(node.service)}</span> ${escape(node.kind)} <b>${escape(node.name)}</b>` +
        `${status === undefined ? "" : ` → ${escape(status)}`}${node.status === "ERROR" ? ` <span class="err">${escape(node.statusMessage ?? "error")}</span>` : ""}` +
        `<div class="attrs">${node.instance ? `instance ${escape(node.instance)} · ` : ""}span ${escape(node.spanId)} · ${attributes}</div></td>` +
        `<td class="ms">${node.durationMs.toFixed(1)} ms</td>` +
        `<td class="lane"><div class="bar" style="margin-left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></div></td></tr>`,
    );
    for (const child of node.children) walk(child, depth + 1);
  };
  roots.forEach((r) => walk(r, 0));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trace ${escape(summary.traceId)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2330; }
  h1 { font-size: 1.2rem; } code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
  table { border-collapse: collapse; width: 100%; } td { padding: .35rem .6rem; border-bottom: 1px solid #dde1e8; vertical-align: top; font-size: .9rem; }
  .service { color: #3b5bdb; font-weight: 600; } .attrs { color: #6b7280; font-size: .75rem; margin-top: .15rem; }
  .ms { white-space: nowrap; text-align: right; width: 6rem; } .lane { width: 40%; }
  .bar { height: .8rem; background: #5c7cfa; border-radius: 2px; margin-top: .2rem; }
  tr.error .bar { background: #e03131; } .err { color: #e03131; }
</style></head>
<body>
<h1>Trace <code>${escape(summary.traceId)}</code></h1>
<p>${escape(summary.name)} · ${summary.spans} spans · ${escape(summary.services.join(" → "))} · ${summary.durationMs.toFixed(1)} ms · started ${escape(new Date(t0).toISOString())}
 · <a href="/_symphony/traces/${escape(summary.traceId)}">JSON</a></p>
<table><tbody>
${rows.join("\n")}
</tbody></table>
</body></html>
`;
}
