/**
 * The local platform's web page: a live console (the gateway's requests, recent problems, each
 * instance's heartbeat state, filters by extension and status class) and the running services'
 * routes, each opening the API reference at its operation. Plain DOM: every name, path and
 * message from specs, requests and replies becomes text (textContent), never markup.
 */

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Symphony (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem 2rem; color: #1d2330; }
  h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .3rem; } h3 { font-size: 1rem; }
  table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dde1e8; font-size: .85rem; }
  td.path { word-break: break-all; }
  code, .mono { font-family: ui-monospace, monospace; } code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
  .muted { color: #6b7280; }
  .filters { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #dde1e8; display: flex; gap: 1rem; align-items: center; }
  .state-running, .class-2xx { color: #17803d; } .state-stale, .class-4xx { color: #b45309; } .state-gone, .class-5xx { color: #b91c1c; }
  .problem { border: 1px solid #f3c2c2; border-left: 4px solid #b91c1c; border-radius: 4px; padding: .4rem .7rem; margin: .4rem 0; font-size: .85rem; }
  .problem ul { margin: .3rem 0 0; padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>Symphony — local platform</h1>
<p class="muted">REST gateway: <code>/api/&lt;prefix&gt;/…</code>. Requests, problems and instance states arrive live.</p>
<div class="filters">
  <label>Extension <select id="filter-prefix"><option value="">all</option></select></label>
  <label>Status <select id="filter-status"><option value="">all</option><option>2xx</option><option>3xx</option><option>4xx</option><option>5xx</option></select></label>
  <span id="stream-state" class="muted">connecting…</span>
</div>
<h2>Instances</h2>
<table id="extensions"><thead><tr><th>Prefix</th><th>Name</th><th>Instance</th><th>Status</th><th>Last heartbeat</th><th>Declared</th></tr></thead><tbody></tbody></table>
<h2>Requests <span id="request-count" class="muted"></span></h2>
<table id="requests"><thead><tr><th>Time (UTC)</th><th>Method</th><th>Path</th><th>Status</th><th>ms</th><th>Extension</th><th>Endpoint</th><th>Instance</th><th>Trace</th></tr></thead><tbody></tbody></table>
<h2>Problems</h2>
<div id="problems"></div>
<h2>Services</h2>
<div id="services"></div>
<script type="module">
const $ = (selector) => document.querySelector(selector);
/** An element; string children become text nodes, attributes are set as values. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v !== undefined) node.setAttribute(k, v);
  node.append(...children.filter((c) => c !== undefined && c !== null).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}
const state = { requests: [], problems: [], instances: [], services: [], lastSeq: 0 };
const LIMIT = 500;
const classOf = (status) => Math.floor(status / 100) + "xx";
const wanted = (prefix, status) => {
  const p = $("#filter-prefix").value, c = $("#filter-status").value;
  return (!p || prefix === p) && (!c || status === undefined || classOf(status) === c);
};
/** Paths are logged percent-encoded; shown decoded (the logged form in the tooltip). */
const readable = (path) => { try { return decodeURIComponent(path); } catch { return path; } };
const docsOf = (s) => "/_symphony/docs/" + encodeURIComponent(s.prefix) + "/" + encodeURIComponent(s.name);
/** "prefix endpoint" → the API reference at that operation. */
const anchors = () => new Map(state.services.flatMap((s) => s.endpoints.filter((e) => e.anchor).map((e) => [s.prefix + " " + e.name, docsOf(s) + e.anchor])));
const age = (ms) => (ms < 60000 ? (ms / 1000).toFixed(1) + " s" : Math.round(ms / 60000) + " min") + " ago";
const rows = (list, empty, columns) => (list.length ? list : [el("tr", {}, el("td", { colspan: columns, class: "muted" }, empty))]);

function renderFilterOptions() {
  const select = $("#filter-prefix");
  const known = new Set([...state.instances, ...state.services, ...state.requests].map((x) => x.prefix).filter(Boolean));
  const have = new Set([...select.options].map((o) => o.value));
  for (const prefix of [...known].sort()) if (!have.has(prefix)) select.append(el("option", { value: prefix }, prefix));
}

function renderInstances() {
  const list = state.instances.filter((i) => wanted(i.prefix)).map((i) => {
    const declared = Object.entries(i.declared).map(([k, n]) => n + " " + k).join(", ");
    const status = i.state + (i.reason ? " (" + i.reason + ")" : "");
    return el("tr", { "data-prefix": i.prefix, "data-id": i.id }, el("td", {}, el("code", {}, i.prefix)), el("td", {}, i.name), el("td", {}, i.id),
      el("td", { class: "state-" + i.state }, status), el("td", { title: i.lastSeen }, age(i.ageMs)), el("td", {}, declared || "—"));
  });
  $("#extensions tbody").replaceChildren(...rows(list, "none yet", 6));
}

/** Rows already built, by view and seq: a new request adds one row, the others stay the same nodes. */
const built = new Map();
const once = (key, build) => { if (!built.has(key)) built.set(key, build()); return built.get(key); };
const keepBuilt = (prefix, list) => { const seqs = new Set(list.map((r) => prefix + r.seq)); for (const k of built.keys()) if (k.startsWith(prefix) && !seqs.has(k)) built.delete(k); };

function renderRequests() {
  const links = anchors();
  keepBuilt("r", state.requests);
  const shown = state.requests.filter((r) => wanted(r.prefix, r.status)).reverse();
  const list = shown.map((r) => once("r" + r.seq, () => {
    const docs = r.endpoint && links.get(r.prefix + " " + r.endpoint);
    return el("tr", { "data-seq": r.seq, "data-prefix": r.prefix },
      el("td", { class: "mono" }, r.time.slice(11, 23)), el("td", {}, r.method), el("td", { class: "path", title: r.path }, readable(r.path)),
      el("td", { class: "class-" + classOf(r.status) }, r.status + (r.aborted ? " (aborted)" : "")), el("td", {}, r.ms),
      el("td", {}, readable(r.prefix)), el("td", {}, docs ? el("a", { href: docs }, r.endpoint) : r.endpoint ?? "—"),
      el("td", { class: "mono" }, r.instance ?? (r.instances ? r.instances + " possible" : "—")),
      el("td", { class: "mono", title: r.traceId ?? "" }, /^[0-9a-f]{32}$/.test(r.traceId ?? "") ? el("a", { href: "/_symphony/traces/" + r.traceId + ".html" }, r.traceId.slice(0, 8)) : "—"));
  }));
  $("#requests tbody").replaceChildren(...rows(list, state.requests.length ? "no request matches the filters" : "no request yet", 9));
  $("#request-count").textContent = shown.length + " of " + state.requests.length;
}

function renderProblems() {
  keepBuilt("p", state.problems);
  const list = state.problems.filter((r) => wanted(r.prefix, r.status)).reverse().map((r) => once("p" + r.seq, () => {
    const p = r.problem ?? {};
    const errors = (p.errors ?? []).map((e) => el("li", {}, el("code", {}, [e.in, e.name, e.pointer].filter((x) => x !== undefined).join(" ") || "—"), " ", e.message ?? ""));
    if (p.moreErrors) errors.push(el("li", { class: "muted" }, "… " + p.moreErrors + " more"));
    return el("div", { class: "problem", "data-seq": r.seq, "data-prefix": r.prefix },
      el("div", {}, el("strong", { class: "class-" + classOf(r.status) }, r.status), " ", r.method, " ", el("code", { class: "path" }, readable(r.path)),
        el("span", { class: "muted" }, " · " + r.time.slice(11, 23) + (r.traceId ? " · trace " + r.traceId : ""))),
      el("div", { class: "title" }, p.title ?? "", p.detail ? ": " : "", el("span", { class: "detail" }, p.detail ?? ""), p.body ? el("code", { class: "body" }, p.body) : undefined),
      errors.length ? el("ul", { class: "errors" }, ...errors) : undefined);
  }));
  $("#problems").replaceChildren(...(list.length ? list : [el("p", { class: "muted" }, "No problems.")]));
}

function renderServices() {
  const list = state.services.filter((s) => wanted(s.prefix)).map((s) => {
    const routes = s.endpoints.map((e) => {
      const route = el("code", {}, "/api/" + s.prefix + (e.path ?? ""));
      return el("tr", {}, el("td", {}, e.method ?? ""), el("td", {}, e.anchor && !s.specError ? el("a", { class: "route", href: docsOf(s) + e.anchor }, route) : route), el("td", {}, el("code", {}, e.subject)));
    });
    return el("section", { "data-prefix": s.prefix },
      el("h3", {}, s.name, " ", el("span", { class: "muted" }, s.prefix + " · " + s.version + " · " + s.instances + " instance(s)")),
      s.specError ? el("p", {}, "spec: " + s.specError) : el("p", {}, el("a", { class: "docs", href: docsOf(s) }, "API reference")),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Method"), el("th", {}, "Route"), el("th", {}, "Subject"))), el("tbody", {}, ...routes)));
  });
  $("#services").replaceChildren(...(list.length ? list : [el("p", { class: "muted" }, "No services discovered.")]));
}

let pending = new Set();
/** Renders the changed views once per burst of events. */
function render(...views) {
  if (!pending.size) setTimeout(() => {
    const views = pending;
    pending = new Set();
    renderFilterOptions();
    for (const view of views) view();
  }, 0);
  for (const view of views) pending.add(view);
}
const all = [renderInstances, renderRequests, renderProblems, renderServices];
$("#filter-prefix").addEventListener("change", () => render(...all));
$("#filter-status").addEventListener("change", () => render(...all));

const keep = (list, entry, limit) => { list.push(entry); if (list.length > limit) list.splice(0, list.length - limit); };
const events = new EventSource("/_symphony/requests/stream");
events.addEventListener("open", () => ($("#stream-state").textContent = "live"));
events.addEventListener("error", () => ($("#stream-state").textContent = "reconnecting…"));
events.addEventListener("backlog", (e) => {
  Object.assign(state, JSON.parse(e.data));
  state.lastSeq = Math.max(0, ...state.requests.map((r) => r.seq), ...state.problems.map((r) => r.seq));
  built.clear();
  render(...all);
});
events.addEventListener("request", (e) => {
  const entry = JSON.parse(e.data);
  if (entry.seq <= state.lastSeq) return;
  state.lastSeq = entry.seq;
  keep(state.requests, entry, LIMIT);
  if (entry.status >= 400) keep(state.problems, entry, 100);
  render(renderRequests, ...(entry.status >= 400 ? [renderProblems] : []));
});
events.addEventListener("instances", (e) => { state.instances = JSON.parse(e.data); render(renderInstances); });
// Endpoint links in request rows come from the services: rebuilt with them.
events.addEventListener("services", (e) => { state.services = JSON.parse(e.data); built.clear(); render(renderServices, renderRequests); });
</script>
</body>
</html>
`;

/** Swagger UI (served from the local swagger-ui-dist package) for one service's spec. */
export function docsHtml(specUrl: string, title: string): string {
  const safe = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${safe(title)} — API reference</title>
<link rel="stylesheet" href="/_symphony/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/_symphony/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl).replace(/</g, "\\u003c")}, dom_id: "#swagger-ui", deepLinking: true, tryItOutEnabled: true });
</script>
</body>
</html>
`;
}
