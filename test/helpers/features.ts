/**
 * Which OpenAPI features a document uses, for the compatibility table (docs/compatibility.md):
 * each row of the table lists the specs of the compatibility test that exercise it.
 */
import { readFileSync } from "node:fs";
import type { ApiModel } from "../../generator/index.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Row keys of the table, in order; scripts/compat-table.js holds the prose for each. */
export const FEATURES = [
  "openapi-3.0",
  "openapi-3.1",
  "swagger-2.0",
  "multi-file-refs",
  "remote-refs",
  "yaml-merge-keys",
  "anchor-defs",
  "circular-refs",
  "path-item-refs",
  "parameter-styles",
  "content-parameters",
  "discriminator",
  "discriminator-mapping",
  "nullable",
  "type-arrays",
  "formats",
  "read-write-only",
  "callbacks",
  "webhooks",
  "webhooks-only",
  "non-ascii-names",
  "non-json-media",
  "large-spec",
] as const;
export type Feature = (typeof FEATURES)[number];

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$|^[\w.+-]+\/[\w.+-]*\+json$/i;

/** Walks the document, skipping example payloads (whose keys are data, not schema keywords). */
function walk(node: unknown, visit: (o: Obj, key: string) => void, key = ""): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, key);
    return;
  }
  if (!isObj(node)) return;
  visit(node, key);
  for (const [k, v] of Object.entries(node)) {
    if (k === "example" || k === "examples" || k === "default" || k === "const" || k === "enum") continue;
    walk(v, visit, k);
  }
}

/** Cycles among `$ref` targets that are schemas. */
function hasCircularRefs(doc: Obj): boolean {
  const edges = new Map<string, Set<string>>();
  const refsIn = (node: unknown): Set<string> => {
    const out = new Set<string>();
    walk(node, (o) => {
      if (typeof o.$ref === "string" && o.$ref.startsWith("#")) out.add(o.$ref);
    });
    return out;
  };
  const resolve = (ref: string): unknown => {
    let node: unknown = doc;
    for (const raw of ref.replace(/^#\/?/, "").split("/")) {
      if (!isObj(node) && !Array.isArray(node)) return undefined;
      node = (node as Obj)[decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return node;
  };
  const pending = [...refsIn(doc)];
  while (pending.length > 0) {
    const ref = pending.pop()!;
    if (edges.has(ref)) continue;
    const targets = refsIn(resolve(ref));
    edges.set(ref, targets);
    pending.push(...targets);
  }
  const state = new Map<string, 1 | 2>();
  const visit = (ref: string): boolean => {
    const s = state.get(ref);
    if (s === 1) return true;
    if (s === 2) return false;
    state.set(ref, 1);
    for (const next of edges.get(ref) ?? []) if (visit(next)) return true;
    state.set(ref, 2);
    return false;
  };
  return [...edges.keys()].some(visit);
}

export function detectFeatures(model: ApiModel, sourceFile: string, specBytes: number): Feature[] {
  const doc = model.document as unknown as Obj;
  const found = new Set<Feature>();
  const version = model.openapiVersion;
  if (version.startsWith("3.0")) found.add("openapi-3.0");
  if (version.startsWith("3.1")) found.add("openapi-3.1");

  const text = readFileSync(sourceFile, "utf8");
  if (/^\s*\{?\s*["']?swagger["']?\s*:/m.test(text)) found.add("swagger-2.0");
  if (/\$ref["']?\s*:\s*["']?(?!#|https?:)[^\s"'#][^\s"']*/.test(text)) found.add("multi-file-refs");
  if (/\$ref["']?\s*:\s*["']?https?:/.test(text)) found.add("remote-refs");
  if (/^[\s-]*(?:!!merge\s+)?<<\s*:/m.test(text)) found.add("yaml-merge-keys");
  if (/["']?\$(?:anchor|defs)["']?\s*:/.test(text)) found.add("anchor-defs");

  walk(doc, (o, key) => {
    if ("$anchor" in o || isObj(o.$defs)) found.add("anchor-defs");
    if (isObj(o.discriminator)) found.add("discriminator");
    if (isObj(o.discriminator) && isObj(o.discriminator.mapping)) found.add("discriminator-mapping");
    if (o.nullable === true) found.add("nullable");
    if (Array.isArray(o.type) && key !== "properties") found.add("type-arrays");
    if (typeof o.format === "string" && typeof o.type !== "object") found.add("formats");
    if (o.readOnly === true || o.writeOnly === true) found.add("read-write-only");
    if (isObj(o.callbacks) && Object.keys(o.callbacks).length > 0) found.add("callbacks");
  });
  if (hasCircularRefs(doc)) found.add("circular-refs");
  const paths = isObj(doc.paths) ? doc.paths : {};
  if (Object.values(paths).some((item) => isObj(item) && typeof item.$ref === "string") || (isObj(doc.components) && isObj(doc.components.pathItems))) {
    found.add("path-item-refs");
  }
  if (isObj(doc.webhooks) && Object.keys(doc.webhooks).length > 0) found.add("webhooks");
  if (found.has("webhooks") && Object.keys(paths).length === 0) found.add("webhooks-only");
  // Names the generator turns into identifiers or keys: schema and property names, paths, operationIds, parameter names.
  const nonAscii = (name: unknown) => typeof name === "string" && /[^\x00-\x7f]/.test(name);
  if (Object.keys(paths).some(nonAscii) || model.operations.some((op) => nonAscii(op.operationId) || op.parameters.some((p) => nonAscii(p.name))))
    found.add("non-ascii-names");
  walk(doc, (o, key) => {
    if ((key === "properties" || key === "schemas") && Object.keys(o).some(nonAscii)) found.add("non-ascii-names");
  });
  for (const op of model.operations) {
    for (const p of op.parameters) {
      const defaultStyle = p.in === "query" || p.in === "cookie" ? "form" : "simple";
      if (p.contentType) found.add("content-parameters");
      else if (p.style !== defaultStyle || p.explode !== (p.style === "form")) found.add("parameter-styles");
    }
    const media = [...(op.requestBody?.content ?? []), ...op.responses.flatMap((r) => r.content)];
    if (media.some((m) => !JSON_MEDIA.test(m.contentType.split(";")[0]!.trim()))) found.add("non-json-media");
  }
  if (specBytes > 1024 * 1024) found.add("large-spec");
  return FEATURES.filter((f) => found.has(f));
}
