/** The local platform's web page: running extensions, their endpoints, and an API reference per spec. */

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Symphony (local)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2330; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde1e8; font-size: .9rem; }
  code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
  .status-running { color: #17803d; } .muted { color: #6b7280; }
</style>
</head>
<body>
<h1>Symphony — local platform</h1>
<p class="muted">REST gateway: <code>/api/&lt;prefix&gt;/…</code>. This page refreshes every few seconds.</p>
<h2>Registered extensions</h2>
<table id="extensions"><thead><tr><th>Prefix</th><th>Name</th><th>Instance</th><th>Status</th><th>Last status</th><th>Declared</th></tr></thead><tbody></tbody></table>
<h2>Services</h2>
<div id="services"></div>
<script type="module">
const text = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
async function refresh() {
  const data = await (await fetch("/_symphony/extensions")).json();
  document.querySelector("#extensions tbody").innerHTML = data.extensions.map((r) => {
    const e = r.entry;
    const declared = ["capabilities", "resources", "routes", "menus", "widgets", "buckets"].map((k) => (e[k]?.length ? e[k].length + " " + k : "")).filter(Boolean).join(", ");
    return "<tr><td><code>" + text(e.prefix) + "</code></td><td>" + text(e.name) + "</td><td>" + text(e.id) + "</td><td class=status-" + text(r.status) + ">" + text(r.status) + "</td><td>" + text(r.lastSeen) + "</td><td>" + text(declared || "—") + "</td></tr>";
  }).join("") || "<tr><td colspan=6 class=muted>none yet</td></tr>";
  document.querySelector("#services").innerHTML = data.services.map((s) => {
    const rows = s.endpoints.map((e) => "<tr><td>" + text(e.method ?? "") + "</td><td><code>/api/" + text(s.prefix) + text(e.path ?? "") + "</code></td><td><code>" + text(e.subject) + "</code></td></tr>").join("");
    const docs = "/_symphony/docs/" + encodeURIComponent(s.prefix) + "/" + encodeURIComponent(s.name);
    return "<h3>" + text(s.name) + " <span class=muted>" + text(s.version) + " · " + text(s.instances) + " instance(s)</span></h3>" +
      (s.specError ? "<p>spec: " + text(s.specError) + "</p>" : "<p><a class=docs href='" + docs + "'>API reference</a></p>") +
      "<table><thead><tr><th>Method</th><th>Route</th><th>Subject</th></tr></thead><tbody>" + rows + "</tbody></table>";
  }).join("") || "<p class=muted>No services discovered.</p>";
}
refresh(); setInterval(refresh, 3000);
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
