#!/usr/bin/env node
// Renders docs/compatibility.md from the compatibility test's results (test/.tmp/compat/results.json).
//
//   node scripts/compat-table.js [--results test/.tmp/compat/results.json] [--out docs/compatibility.md] [--check]
//
// --check writes nothing and exits 1 when the file differs from the rendering (the test runs it so
// that stale docs fail). The rendering holds no timings, so it only changes when results change.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Rows: feature key (test/helpers/features.ts) → label and how symphony-codegen handles it. */
const FEATURES = {
  "openapi-3.0": ["OpenAPI 3.0", "Supported. `nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`; siblings of `$ref` are ignored (3.0 rules)."],
  "openapi-3.1": ["OpenAPI 3.1", "Supported (JSON Schema 2020-12 dialect): type arrays, numeric exclusive bounds, `const`, `prefixItems`, siblings of `$ref` applied."],
  "swagger-2.0": ["Swagger 2.0", "Converted to OpenAPI 3.0 at generation (swagger2openapi), with a warning at `#/swagger`."],
  "multi-file-refs": ["Multi-file `$ref`s", "Bundled at generation (Redocly): every `$ref` in the embedded document is local (`#/…`)."],
  "remote-refs": ["Remote (`http(s)`) `$ref`s", "Not followed unless `--allow-remote-refs` is given (generation fails naming the reference)."],
  "yaml-merge-keys": ["YAML merge keys (`<<`)", "Resolved while parsing YAML."],
  "anchor-defs": ["`$anchor` / `$defs`", "`$defs` reached by JSON pointer are schemas like any other; the generator has no `$anchor` resolution of its own (left to the bundler)."],
  "circular-refs": ["Circular `$ref`s", "Each referenced schema is a named `z.lazy` constant, built on first use, so references (circular ones too) need nothing more."],
  "path-item-refs": ["Path-item `$ref`s", "Resolved when building the operation list (`paths` entries and `components.pathItems`)."],
  "parameter-styles": ["Parameter styles", "`form`, `simple`, `label`, `matrix`, `deepObject`, `spaceDelimited`, `pipeDelimited` with `explode`, decoded by the runtime and serialised by the typed client."],
  "content-parameters": ["Parameters with `content`", "JSON media types are parsed as JSON before validation."],
  "discriminator": ["`discriminator`", "`oneOf`/`anyOf` of `$ref`s with a discriminator dispatch on the property (explicit `mapping` and implicit names); inline options fall back to plain `oneOf`."],
  "discriminator-mapping": ["`discriminator.mapping`", "Explicit mappings dispatch on the mapped values; a target reached only through a mapping is a schema like any other."],
  "nullable": ["`nullable` (3.0)", "`.nullable()` on the schema (3.0 only; 3.1 uses `type: [..., \"null\"]`)."],
  "type-arrays": ["Type arrays (3.1)", "A union of the listed types."],
  "formats": ["`format`", "Checked: date-time, date, time, uuid, email, uri/url, hostname, ipv4, ipv6, byte. Others (int32, int64, binary, …) are not checked, as JSON Schema allows."],
  "read-write-only": ["`readOnly` / `writeOnly`", "Applied to properties whose own schema carries the keyword (where openapi-typescript puts `$Read`/`$Write`). Requests: a readOnly property is not required; one a client sends is validated, then removed before the handler; request types (`rt.Writable`) omit it. Responses: a writeOnly property is not required; one a handler returns fails response validation, naming it; response types (`rt.Readable`) omit it. Only schemas holding such properties get per-direction decoders and wrapped types."],
  "callbacks": ["Callbacks", "Typed as hoisted webhooks (`WebhookHandlers`, `createWebhookClient`); the operation's own endpoint is served as usual."],
  "webhooks": ["Webhooks (3.1)", "Typed `WebhookHandlers`, served by `registerWebhooks` under `<prefix>.webhooks`; a document may hold only webhooks (nothing for `register()` to serve)."],
  "webhooks-only": ["Webhooks-only documents", "No `paths`: the output holds webhook types, handlers and `registerWebhooks`, and no operations to serve."],
  "non-ascii-names": ["Non-ASCII names", "Property, schema and parameter names and operationIds outside ASCII become valid identifiers (or quoted keys); the wire names are kept."],
  "non-json-media": ["Non-JSON media types", "Text types travel as strings; forms and multipart are coerced by the schema's shape (files as bytes); other types travel as base64 bytes on NATS. Response validation checks JSON bodies only."],
  "large-spec": ["Large specs (> 1 MiB)", "Spec metadata is embedded verbatim, as gzip+base64, or as an object-store reference when even that exceeds `max_payload`; the gateway reads all three."],
};

/**
 * Sections other scripts write into this file between `<!-- name:start -->` and `<!-- name:end -->`
 * (test/helpers/doc-section.ts): rendered with the text they hold now, so regenerating (and --check) keeps them.
 */
const KEPT_SECTIONS = [{ name: "property", heading: "## Property test over documents", empty: "Not run yet: `npm run property`." }];

function keptSection(current, name, empty) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const body = from >= 0 && to > from ? current.slice(from + start.length, to) : `\n${empty}\n`;
  return `${start}${body}${end}`;
}

const display = (spec) => (spec.name === "github" ? "GitHub" : spec.rel);
const kib = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);
const cell = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const shortName = (spec) => (spec.name === "github" ? "GitHub" : spec.rel.replace(/^openapi-typescript-fixtures\//, "ots/").replace(/\.(ya?ml|json)$/, ""));

/** The document for `results`; `current` (the file as it is) supplies the sections other scripts keep there. */
export function render(results, current = "") {
  const all = results.specs;
  const specs = all.filter((s) => !s.generateOnly);
  const published = all.filter((s) => s.published);
  const lines = [
    "# OpenAPI compatibility",
    "",
    "<!-- Generated by scripts/compat-table.js from test/compatibility.e2e.test.ts's results; do not edit.",
    "     Regenerate: COMPAT_UPDATE=1 npx vitest run test/compatibility.e2e.test.ts (the test fails while this file is stale). -->",
    "",
    "Every OpenAPI 3.x document in `fixtures/corpus/` that generation accepts (the OAI examples, openapi-typescript's",
    "edge-case fixtures, DigitalOcean) and GitHub's REST description (`@octokit/openapi`) is generated, served with",
    "`serveApi` on one nats-server and `symphony-codegen dev` platform with response validation on, and called once",
    "per operation over HTTP through the dev gateway: required parameters and bodies are synthesised from their",
    "schemas, each handler answers its first 2XX (else `default`) response with the spec's example when it matches",
    "the schema, else a synthesised one, and the call must come back with that status and body.",
    "",
    `The published corpus (${published.length} documents listed in \`fixtures/corpus/published.json\`, from AWS, Azure, Google, Twilio,`,
    "Adyen, … with their sources and licences) is generated and type-checked with `@ts-nocheck` stripped; the documents",
    "marked served in its table are served and called like the others.",
    "",
    "## Features",
    "",
    "| Feature | How symphony-codegen handles it | Specs using it | Operations served (in those specs) |",
    "|---|---|---|---|",
  ];
  for (const [key, [label, how]] of Object.entries(FEATURES)) {
    const using = specs.filter((s) => s.features.includes(key));
    const ops = using.reduce((n, s) => n + s.operations, 0);
    const served = using.reduce((n, s) => n + s.served, 0);
    const names = using.length === 0 ? "none in the suite" : using.length <= 4 ? using.map(shortName).join(", ") : `${using.length} specs (${using.slice(0, 3).map(shortName).join(", ")}, …)`;
    const result = using.length === 0 ? "–" : served === ops ? `${served}/${ops} ✓` : `${served}/${ops} ✗`;
    lines.push(`| ${label} | ${how} | ${names} | ${result} |`);
  }
  const totalOps = specs.reduce((n, s) => n + s.operations, 0);
  const totalServed = specs.reduce((n, s) => n + s.served, 0);
  lines.push(
    "",
    `## Specs (${specs.length} documents, ${totalServed}/${totalOps} operations served)`,
    "",
    "| Spec | OpenAPI | Operations | Served | Handler bodies: spec example / synthesised / none | Spec metadata | Failures |",
    "|---|---|---|---|---|---|---|",
  );
  for (const s of specs) {
    const failures = s.error ? s.error.replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 120) : s.failures.length === 0 ? "" : `${s.failures.length}: ${[...new Set(s.failures.map((f) => f.got))].join(", ")}`;
    lines.push(`| ${display(s)} | ${s.openapi} | ${s.operations} | ${s.served} | ${s.examples.spec} / ${s.examples.synthesised} / ${s.examples.none}${s.examples.invalid ? ` (${s.examples.invalid} without a valid example)` : ""} | ${s.metadata} | ${failures} |`);
  }
  if (published.length > 0) {
    const compiled = published.filter((s) => !s.error && s.published.compileErrors === 0).length;
    lines.push(
      "",
      `## Published corpus (${published.length} documents, ${published.filter((s) => !s.error).length} generated, ${compiled} compile without \`@ts-nocheck\`, ${published.filter((s) => !s.generateOnly).length} served)`,
      "",
      "| Document | Source (licence) | OpenAPI | Operations | Webhooks | Size | Features | Generates | Compiles (no `@ts-nocheck`) | Served |",
      "|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const s of published) {
      const p = s.published;
      const awaiting = p.awaiting ? ` (awaiting ${p.awaiting.split(":")[0]})` : "";
      const generates = s.error ? `✗ ${cell(s.error.slice(0, 100))}${awaiting}` : "✓";
      const compiles = s.error ? "–" : p.compileErrors === 0 ? "✓" : `✗ ${p.compileErrors} errors: ${cell(p.compileFirst ?? "")}${awaiting}`;
      const served = s.generateOnly ? "–" : s.operations === 0 ? "✓ (webhooks only)" : `${s.served}/${s.operations} ${s.served === s.operations ? "✓" : "✗"}`;
      const features = s.features.filter((f) => ["swagger-2.0", "discriminator", "discriminator-mapping", "webhooks-only", "non-ascii-names", "callbacks", "parameter-styles", "large-spec"].includes(f)).join(", ");
      lines.push(`| ${s.rel} | ${p.package} (${p.licence}) | ${s.openapi} | ${s.operations} | ${p.webhooks} | ${kib(p.bytes)} | ${features} | ${generates} | ${compiles} | ${served} |`);
    }
  }
  const failing = specs.filter((s) => s.failures.length > 0);
  if (failing.length > 0) {
    lines.push("", "## Failing operations", "");
    for (const s of failing) {
      lines.push(`### ${display(s)}`, "");
      for (const f of s.failures.slice(0, 50)) lines.push(`- \`${f.method} ${f.path}\` (${f.operation}): expected ${f.expected}, got ${f.got}${f.known ? ` — known: ${f.known}` : ""}`);
      if (s.failures.length > 50) lines.push(`- … and ${s.failures.length - 50} more`);
      lines.push("");
    }
  }
  lines.push(
    "",
    "## Known limits",
    "",
    "- `readOnly`/`writeOnly` count on a property's own schema: a `$ref`'d schema that is itself `readOnly` (GitHub's `alert-number`, …) does not make the property readOnly, as in the generated types. Under `patternProperties`, `if`/`then`/`else` or `dependentSchemas`, a readOnly property is not required in requests but is not removed.",
    "- Response validation checks JSON bodies only; response headers are not checked.",
    "- This test sends only *required* parameters and bodies, one request per operation, and answers one response per operation.",
    "",
    "## Response validation",
    "",
    "`register(ext, handlers, { validateResponses: true })` checks every handler's body against the schema the spec declares",
    "for its status (exact, then `2XX`-style range, then `default`) and JSON content type. A mismatch is logged as an error",
    "(`handler returned a response body that does not match its schema`, with `pointer`, `detail` and every offending field",
    "in `errors` as JSON pointers) and the caller gets a 500 `application/problem+json` instead. It is on by default when the",
    "environment variable `SYMPHONY_DEV=1` is set (which `symphony-codegen dev` tells you to set), off otherwise; an explicit",
    "`validateResponses` wins over the variable. This test runs every service with it on.",
    "",
  );
  for (const { name, heading, empty } of KEPT_SECTIONS) lines.push(heading, "", keptSection(current, name, empty), "");
  return lines.join("\n");
}

function main(argv) {
  const arg = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const resultsFile = path.resolve(arg("--results", path.join(root, "test/.tmp/compat/results.json")));
  const out = path.resolve(arg("--out", path.join(root, "docs/compatibility.md")));
  const current = existsSync(out) ? readFileSync(out, "utf8") : "";
  const rendered = render(JSON.parse(readFileSync(resultsFile, "utf8")), current);
  if (argv.includes("--check")) {
    if (current === rendered) return 0;
    const a = current.split("\n");
    const b = rendered.split("\n");
    const diff = [];
    for (let i = 0; i < Math.max(a.length, b.length) && diff.length < 40; i++) {
      if (a[i] !== b[i]) diff.push(`line ${i + 1}:\n  - ${a[i] ?? "(none)"}\n  + ${b[i] ?? "(none)"}`);
    }
    process.stderr.write(`${path.relative(process.cwd(), out)} differs from the rendering of ${path.relative(process.cwd(), resultsFile)}:\n${diff.join("\n")}\n`);
    return 1;
  }
  writeFileSync(out, rendered);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
