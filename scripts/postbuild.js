#!/usr/bin/env node
// After tsc:
// - records the hash of the generator's sources in dist/generator/build-info.json, so a manifest's
//   fingerprint depends on the sources a build came from, never on leftover build files;
// - copies the generator's CommonJS modules and their types (generator/*.cjs, *.d.cts: tsc emits neither) into dist;
// - copies Swagger UI's two files (and its licence) into dist/dev/assets, so the
//   published package serves the API reference without depending on swagger-ui-dist, whose
//   install script reports installs over the network.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_INFO, hashSources, packageVersion } from "../dist/generator/fingerprint.js";
import { SWAGGER_UI_FILES } from "../dist/dev/assets.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const info = { version: packageVersion(), sources: await hashSources(path.join(root, "generator")) };
writeFileSync(path.join(root, "dist", "generator", BUILD_INFO), JSON.stringify(info, null, 2) + "\n");

for (const file of readdirSync(path.join(root, "generator")).filter((f) => f.endsWith(".cjs") || f.endsWith(".d.cts"))) {
  copyFileSync(path.join(root, "generator", file), path.join(root, "dist", "generator", file));
}

const from = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const to = path.join(root, "dist", "dev", "assets");
mkdirSync(to, { recursive: true });
for (const file of [...SWAGGER_UI_FILES.keys(), "LICENSE", "NOTICE"]) copyFileSync(path.join(from, file), path.join(to, file));
