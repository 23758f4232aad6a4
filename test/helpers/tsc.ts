/** Type-checks generated code with a hand-written usage file beside it, as a user's `tsc --strict` would. */
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { UNCHECKED } from "../../generator/write.js";
import { ROOT } from "./specs.js";

const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");

/** tsc's output for `include` under `dir` (a tsconfig is written there): "" when it compiles cleanly. */
export async function typeCheck(dir: string, include: string[]): Promise<string> {
  const tsconfig = path.join(dir, "tsconfig.json");
  const compilerOptions = { strict: true, noEmit: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], types: [], skipLibCheck: true };
  await writeFile(tsconfig, JSON.stringify({ compilerOptions, include }));
  return new Promise<string>((resolve) =>
    execFile(process.execPath, [TSC, "-p", tsconfig, "--pretty", "false"], (err, stdout, stderr) => resolve(err ? `exit ${err.code}\n${stdout}${stderr}` : stdout + stderr)),
  );
}

/** Removes the `@ts-nocheck` header from the generated files in `dir`, so that tsc checks every line users' builds skip. */
export async function checkEveryLine(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".ts")) continue;
    const file = path.join(dir, name);
    const text = await readFile(file, "utf8");
    if (text.includes(UNCHECKED)) await writeFile(file, text.replace(UNCHECKED + "\n", ""));
  }
}
