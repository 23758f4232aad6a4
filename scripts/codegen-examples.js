#!/usr/bin/env node
// Regenerates examples/*/src/generated from each example's openapi.yaml (`--check`: fail when stale).
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../dist/generator/cli.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const extra = process.argv.slice(2);
let failed = 0;
for (const name of readdirSync(path.join(root, "examples")).sort()) {
  const dir = path.join(root, "examples", name);
  const spec = path.join(dir, "openapi.yaml");
  if (!existsSync(spec)) continue;
  const code = await main(["generate", path.relative(process.cwd(), spec), "--out", path.relative(process.cwd(), path.join(dir, "src", "generated")), ...extra]);
  if (code !== 0) failed = code;
}
process.exitCode = failed;
