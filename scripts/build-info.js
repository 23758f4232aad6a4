#!/usr/bin/env node
// After tsc: records the hash of the generator's sources in dist/generator/build-info.json, so a
// manifest's fingerprint depends on the sources a build came from, never on leftover build files.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_INFO, hashSources, packageVersion } from "../dist/generator/fingerprint.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const info = { version: packageVersion(), sources: await hashSources(path.join(root, "generator")) };
writeFileSync(path.join(root, "dist", "generator", BUILD_INFO), JSON.stringify(info, null, 2) + "\n");
