/** Type-checks generated code as a user's `tsc --strict` would: one usage directory, or one program over many outputs. */
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { UNCHECKED } from "../../generator/write.js";
import { ROOT } from "./specs.js";

const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
/** TypeScript's native compiler (devDependency @typescript/native-preview): same diagnostics on the corpus, a fraction of tsc's CPU time. */
const TSGO = path.join(ROOT, "node_modules/@typescript/native-preview/bin/tsgo");

export const STRICT_OPTIONS = {
  strict: true,
  noEmit: true,
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023"],
  types: [],
  skipLibCheck: true,
};

/** tsc's output for `include` under `dir` (a tsconfig is written there): "" when it compiles cleanly. */
export async function typeCheck(dir: string, include: string[]): Promise<string> {
  const tsconfig = path.join(dir, "tsconfig.json");
  await writeFile(tsconfig, JSON.stringify({ compilerOptions: STRICT_OPTIONS, include }));
  return new Promise<string>((resolve) =>
    execFile(process.execPath, [TSC, "-p", tsconfig, "--pretty", "false"], (err, stdout, stderr) =>
      resolve(err ? `exit ${err.code}\n${stdout}${stderr}` : stdout + stderr),
    ),
  );
}

/** Removes the `@ts-nocheck` header from the generated files in `dir`, so that tsc checks every line users' builds skip. */
export async function checkEveryLine(dir: string): Promise<void> {
  await stripUnchecked(dir, (await readdir(dir)).filter((name) => name.endsWith(".ts")));
}

export interface ProgramRun {
  code: number;
  /** Absolute paths of every file in the program (`--listFiles`). */
  files: Set<string>;
  /** Error lines (with their continuation lines) by output directory relative to `cwd`; "" for anything not inside one. */
  errors: Map<string, string[]>;
  output: string;
  ms: number;
}

/** Runs the compiler on `project` (relative to `cwd`) and splits its diagnostics by output directory, so a failure names its document. */
export function checkProgram(project: string, cwd: string, compiler: "tsc" | "tsgo" = "tsc"): Promise<ProgramRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [compiler === "tsc" ? TSC : TSGO, "-p", project, "--pretty", "false", "--listFiles"],
      { cwd, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const output = stdout + stderr;
        const files = new Set<string>();
        const errors = new Map<string, string[]>();
        let last: string[] | undefined;
        for (const line of output.split(/\r?\n/)) {
          if (!line.trim()) continue;
          if (path.isAbsolute(line) && !/\(\d+,\d+\): /.test(line)) {
            files.add(path.normalize(line));
            continue;
          }
          const located = /^(.+?)\(\d+,\d+\): error /.exec(line);
          if (located || /^error /.test(line)) {
            const file = located ? path.resolve(cwd, located[1]!) : "";
            const rel = file ? path.relative(cwd, file).split(path.sep) : [];
            const dir = rel.length > 1 && rel[0] !== ".." ? rel.slice(0, -1).join("/") : "";
            last = errors.get(dir) ?? [];
            errors.set(dir, last);
            last.push(line);
          } else if (last && /^\s/.test(line)) last.push(line);
          else (errors.get("") ?? errors.set("", []).get("")!).push(line);
        }
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, files, errors, output, ms: Math.round(performance.now() - started) });
      },
    );
  });
}

/** Removes the `@ts-nocheck` header users' builds rely on from `files` in `dir`, so every line is checked; returns the files that had it. */
export async function stripUnchecked(dir: string, files: string[]): Promise<string[]> {
  const had: string[] = [];
  for (const file of files) {
    const target = path.join(dir, file);
    const text = await readFile(target, "utf8");
    if (!text.includes(UNCHECKED)) continue;
    had.push(file);
    await writeFile(target, text.replace(UNCHECKED + "\n", ""));
  }
  return had;
}
