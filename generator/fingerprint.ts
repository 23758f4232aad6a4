/**
 * What a manifest's `fingerprint` hashes: the generator's source files and the versions of the
 * packages that shape its output. It never depends on what happens to sit in a build folder: a
 * build records the hash of the sources it was built from (`build-info.json`, written by
 * scripts/build-info.js after tsc), and a run from the TypeScript sources (tests, tsx) hashes them
 * directly, so both ways give the same fingerprint and a fresh clone regenerates byte-identical
 * manifests.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "./write.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BUILD_INFO = "build-info.json";

/** Packages whose version can change the generated text (the runtime's names and formats too). */
const SHAPING_PACKAGES = ["@symphony-codegen/runtime", "openapi-typescript", "prettier", "@redocly/openapi-core", "swagger2openapi", "typescript", "zod", "fflate"];

export interface BuildInfo {
  version: string;
  /** sha256 over the generator's .ts sources (relative path and content hash of each). */
  sources: string;
}

/**
 * Sources that cannot change generated text: the local platform, the mock server and the
 * `init`/`dev`/`mock` commands. Left out so that work on them does not rewrite every committed manifest.
 */
const NOT_SHAPING = [/^(dev|mock)\//, /^(commands\/)?(init|dev|mock)\.ts$/];

/** sha256 over every `.ts` source (not `.d.ts`) under `dir` that can shape the output, in path order. */
export async function hashSources(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    const entries = (await readdir(sub, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const file = path.join(sub, e.name);
      if (e.isDirectory()) await walk(file);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
        const rel = path.relative(dir, file).split(path.sep).join("/");
        if (!NOT_SHAPING.some((re) => re.test(rel))) parts.push(rel, sha256(await readFile(file)));
      }
    }
  };
  await walk(dir);
  return sha256(parts.join("\0"));
}

/** The generator package's folder: two levels up from the sources' modules, three from dist's. */
export function packageRoot(): string {
  for (const up of ["..", "../.."]) {
    const dir = path.resolve(HERE, up);
    const file = path.join(dir, "package.json");
    if (existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === "symphony-codegen") return dir;
  }
  throw new Error(`symphony-codegen's package.json not found above ${HERE}`);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

async function sourcesHash(): Promise<string> {
  const info = path.join(HERE, BUILD_INFO);
  if (existsSync(info)) return (JSON.parse(await readFile(info, "utf8")) as BuildInfo).sources;
  return hashSources(HERE);
}

let fingerprintCache: Promise<string> | undefined;

/** The fingerprint every manifest records: any change to the generator or a shaping package invalidates it. */
export function generatorFingerprint(): Promise<string> {
  fingerprintCache ??= (async () => {
    const parts = ["symphony-codegen", packageVersion(), await sourcesHash()];
    const require = createRequire(import.meta.url);
    for (const name of SHAPING_PACKAGES) {
      let version = "?";
      try {
        version = (JSON.parse(await readFile(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
      } catch {
        // Not resolvable by its package.json: the sources' hash still covers our code.
      }
      parts.push(name, version);
    }
    return sha256(parts.join("\0"));
  })();
  return fingerprintCache;
}
