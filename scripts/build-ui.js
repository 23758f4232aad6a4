#!/usr/bin/env node
// Builds the examples' React pages into the resources their extensions register: each
// examples/<name>/src/ui/<Page>.tsx becomes examples/<name>/dist-ui/<Page>.jsx, its types stripped
// and its JSX kept (a `text/symphony-jsx` resource: the host renders it with its React). Types are
// checked by `npm run typecheck` (examples/<name>/src/ui/tsconfig.json).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const example of readdirSync(path.join(root, "examples")).sort()) {
  const ui = path.join(root, "examples", example, "src", "ui");
  if (!existsSync(ui)) continue;
  const out = path.join(root, "examples", example, "dist-ui");
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(ui).filter((f) => f.endsWith(".tsx"))) {
    const source = readFileSync(path.join(ui, file), "utf8");
    const { code } = await transform(source, { loader: "tsx", jsx: "preserve", format: "esm", target: "es2022", sourcefile: file });
    writeFileSync(path.join(out, file.replace(/\.tsx$/, ".jsx")), code);
  }
}
