/**
 * The published specs the generator is tested against (fixtures/corpus, see its README),
 * discovered once for test/compile.test.ts and test/compatibility.e2e.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SPECS = path.resolve(ROOT, "fixtures/corpus");

/**
 * Complete-looking documents that are invalid, with one diagnostic each must report (pointer, line, message)
 * under `strict`. By default only problems generation cannot work around (no `info`) refuse a document.
 */
export const INVALID: Record<string, { pointer: string; line: number; message: RegExp }> = {
  "openapi-typescript-fixtures/jsonschema-defs.yaml": { pointer: "#/", line: 1, message: /`info` must be present/ },
  "openapi-typescript-fixtures/parameters-test.yaml": { pointer: "#/paths/~1endpoint/get", line: 17, message: /`responses` must be present/ },
  "openapi-typescript-fixtures/redocly-lint-error/openapi/openapi.yaml": {
    pointer: "#/paths/~1/get/responses/200",
    line: 6,
    message: /`description` must be present/,
  },
};

export interface SpecFile {
  /** Path under fixtures/corpus, with `/`. */
  rel: string;
  abs: string;
  /** Output directory name (safe as a path segment). */
  name: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

export function specFile(abs: string): SpecFile {
  const rel = path.relative(SPECS, abs).split(path.sep).join("/");
  const name = rel
    .replace(/^openapi-typescript-fixtures\//, "ots/")
    .replace(/\.(ya?ml|json)$/, "")
    .replace(/[^A-Za-z0-9.-]+/g, "_");
  return { rel, abs, name };
}

/** Documents (not fragments, not tool configs) under oai/ and openapi-typescript-fixtures/, by kind, plus DigitalOcean (valid). */
export function discoverSpecs(): { valid: SpecFile[]; swagger: SpecFile[]; invalid: SpecFile[] } {
  const valid: SpecFile[] = [];
  const swagger: SpecFile[] = [];
  const invalid: SpecFile[] = [];
  for (const folder of ["oai", "openapi-typescript-fixtures"]) {
    for (const abs of walk(path.join(SPECS, folder))) {
      if (!/\.(ya?ml|json)$/.test(abs) || path.basename(abs).startsWith("_")) continue;
      const text = readFileSync(abs, "utf8");
      const spec = specFile(abs);
      if (/^swagger\s*:/m.test(text)) swagger.push(spec);
      else if (!/^openapi\s*:/m.test(text)) continue; // e.g. redocly.yaml
      else if (spec.rel in INVALID) invalid.push(spec);
      else valid.push(spec);
    }
  }
  valid.push(specFile(path.join(SPECS, "digitalocean/DigitalOcean-public.v2.yaml")));
  return { valid, swagger, invalid };
}

/** A published description (fixtures/corpus/published.json): where it was copied from and under which licence. */
export interface PublishedSpec extends SpecFile {
  licence: string;
  /** npm package (`name@version`) the document was copied from. */
  package: string;
  /** Its path inside that package. */
  path: string;
  upstream?: string;
}

/** The published corpus: documents written elsewhere, listed with their source and licence in fixtures/corpus/published.json. */
export function publishedSpecs(): PublishedSpec[] {
  const list = JSON.parse(readFileSync(path.join(SPECS, "published.json"), "utf8")) as {
    file: string;
    licence: string;
    package: string;
    path: string;
    upstream?: string;
  }[];
  return list.map(({ file, ...source }) => ({ ...specFile(path.join(SPECS, file)), ...source }));
}

/**
 * Published documents that fail because of a defect another branch is fixing (issue 14, items 1–6):
 * the stage that fails and what its error says. The tests assert they still fail that way; once the
 * fix lands, an entry shows up as "now passes" and must go.
 */
export const AWAITING_FIX: Record<string, { item: string; stage: "generate" | "compile" | "serve"; error: RegExp }> = {
};

/** Every document the generator tests use, named: hand-written fixtures, examples, the valid shared specs (what the printers are checked on). */
/** Each example's openapi.yaml (examples/common holds code the examples share, no spec). */
export function exampleSpecs(): { name: string; file: string }[] {
  return readdirSync(path.join(ROOT, "examples"))
    .map((name) => ({ name, file: path.join(ROOT, "examples", name, "openapi.yaml") }))
    .filter(({ file }) => existsSync(file));
}

export function testDocuments(): { name: string; file: string }[] {
  return [
    ...readdirSync(path.join(ROOT, "fixtures"))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => ({ name: `fixtures/${f}`, file: path.join(ROOT, "fixtures", f) })),
    ...exampleSpecs().map(({ name, file }) => ({ name: `examples/${name}`, file })),
    ...discoverSpecs().valid.map((s) => ({ name: s.rel, file: s.abs })),
  ];
}
