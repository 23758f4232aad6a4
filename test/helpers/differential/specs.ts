/** The OpenAPI 3.x documents the differential test runs over. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface SpecEntry {
  /** Output directory name under test/.tmp/differential/. */
  name: string;
  file: string;
}

const root = path.resolve(import.meta.dirname, "../../..");
const shared = path.resolve(root, "fixtures/corpus");

function isOpenApi3(file: string): boolean {
  const head = readFileSync(file, "utf8").slice(0, 4000);
  return /^openapi:\s*["']?3\./m.test(head) || /"openapi"\s*:\s*"3\./.test(head);
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function differentialSpecs(): SpecEntry[] {
  const out: SpecEntry[] = [];
  const add = (prefix: string, file: string) => {
    if (!isOpenApi3(file)) return;
    out.push({ name: `${prefix}${path.basename(file).replace(/\.(ya?ml|json)$/, "")}`, file });
  };
  for (const f of yamlFiles(path.join(shared, "oai"))) if (path.basename(f).startsWith("v3")) add("oai-", f);
  const fixtures = path.join(shared, "openapi-typescript-fixtures");
  // Files starting with "_" are fragments; redocly-lint-error is deliberately invalid.
  for (const f of yamlFiles(fixtures)) if (!path.basename(f).startsWith("_")) add("ots-", f);
  for (const dir of ["redocly", "redocly-flag"]) for (const f of yamlFiles(path.join(fixtures, dir, "openapi"))) add(`ots-${dir}-`, f);
  const digitalocean = path.join(shared, "digitalocean", "DigitalOcean-public.v2.yaml");
  if (existsSync(digitalocean)) add("", digitalocean);
  for (const example of readdirSync(path.join(root, "examples")).sort()) {
    const f = path.join(root, "examples", example, "openapi.yaml");
    if (existsSync(f)) out.push({ name: `example-${example}`, file: f });
  }
  for (const f of yamlFiles(path.join(root, "fixtures"))) add("fixture-", f);
  // Keyword edge cases the real documents lack (one per dialect).
  for (const f of yamlFiles(path.join(import.meta.dirname, "specs"))) add("differential-", f);
  return out;
}
