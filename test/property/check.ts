/**
 * The property over documents: each drawn document must generate (in process), compile under
 * `tsc --strict` with `@ts-nocheck` stripped (many documents in one tsc program), and decode a valid
 * request per operation into exactly what was sent, defaults added. Failures are grouped by class
 * (stage and kind of message) and one document per class is shrunk by fast-check.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { stringify } from "yaml";
import { buildEnvelope, decodeRequest, parseRestRequest, prepareOperation, RestRequestError, type OperationSpec } from "@symphony-codegen/runtime";
import { generate } from "../../generator/index.js";
import { UNCHECKED } from "../../generator/write.js";
import { typeCheck } from "../helpers/tsc.js";
import { AWAITING_FIX, caseArb, type AwaitingFix, type PropertyCase } from "./documents.js";

export type Stage = "generate" | "compile" | "decode";

export interface Failure {
  index: number;
  stage: Stage;
  /** What groups failures: the stage and the message without its names and numbers. */
  kind: string;
  message: string;
}

export interface Figures {
  documents: number;
  operations: number;
  generated: number;
  compiled: number;
  roundTripped: number;
  failures: number;
  seconds: number;
}

export interface RunOptions {
  count: number;
  seed: number;
  /** Working directory (emptied first). */
  dir: string;
  flags?: AwaitingFix;
  /** Documents per tsc program. */
  chunk?: number;
  log?: (line: string) => void;
}

/** The cases fast-check draws for a seed: case `i` is run `i` of `fc.check` with the same seed (replayable with `path: "i"`). */
export function drawCases(count: number, seed: number, flags: AwaitingFix = AWAITING_FIX): PropertyCase[] {
  return fc.sample(caseArb(flags), { seed, numRuns: count });
}

/** Generated output directory of case `i` in `dir`. */
const outDir = (dir: string, i: number) => path.join(dir, `d${i}`);

async function generateOne(c: PropertyCase, dir: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true });
  const spec = path.join(dir, "openapi.json");
  await writeFile(spec, JSON.stringify(c.built.document, null, 1));
  try {
    const result = await generate(spec, { out: path.join(dir, "out") });
    // Users' builds skip the zod tables' bodies (// @ts-nocheck); here every line is checked.
    for (const file of result.files) {
      if (!file.content.includes(UNCHECKED)) continue;
      const target = path.join(dir, "out", file.name);
      await writeFile(target, (await readFile(target, "utf8")).replace(UNCHECKED + "\n", ""));
    }
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

/** tsc's errors by case index for the outputs in `dir` (`d<i>/out`). */
async function compileAll(dir: string, indices: number[]): Promise<Map<number, string[]>> {
  const errors = new Map<number, string[]>();
  if (indices.length === 0) return errors;
  const output = await typeCheck(
    dir,
    indices.map((i) => `d${i}/out/*.ts`),
  );
  let last: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    const at = /[\\/]d(\d+)[\\/]out[\\/][^(]+\(\d+,\d+\): error/.exec(line);
    if (at) {
      const i = Number(at[1]);
      last = errors.get(i) ?? [];
      errors.set(i, last);
      last.push(line.slice(line.indexOf(`d${i}`)));
    } else if (last && /^\s/.test(line)) last.push(line);
    else if (/error/.test(line)) (errors.get(-1) ?? errors.set(-1, []).get(-1)!).push(line);
  }
  return errors;
}

/** Decodes each operation's request through the generated table; the first mismatch, if any. */
export async function roundTrip(c: PropertyCase, dir: string): Promise<string | undefined> {
  let table: OperationSpec[];
  try {
    ({ operationTable: table } = (await import(pathToFileURL(path.join(dir, "out", "operations.ts")).href)) as { operationTable: OperationSpec[] });
  } catch (error) {
    return `importing operations.ts: ${(error as Error).message}`;
  }
  for (const [k, op] of c.built.operations.entries()) {
    const spec = table.find((s) => s.method === op.method && s.path === op.path);
    const name = `${op.method} ${op.path}`;
    if (!spec) return `${name}: not in operationTable`;
    const request = c.requests[k]!;
    let decoded: Record<string, unknown>;
    try {
      // Through the wire's JSON, as serve.ts receives it.
      const envelope = parseRestRequest(new TextEncoder().encode(JSON.stringify(buildEnvelope(spec, request.input))));
      decoded = decodeRequest(prepareOperation(spec), envelope) as unknown as Record<string, unknown>;
    } catch (error) {
      const detail = error instanceof RestRequestError ? `${error.status} ${error.message}` : (error as Error).stack?.split("\n").slice(0, 3).join(" | ");
      return `${name}: refused a valid request: ${detail}\n  sent: ${show(request.input)}`;
    }
    for (const key of ["path", "query", "headers", "cookies", "body"] as const) {
      const diff = difference(request.expected[key], decoded[key], key);
      if (diff) return `${name}: ${diff}\n  sent: ${show(request.input)}`;
    }
  }
  return undefined;
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));

/** Where two values differ (own keys only; bytes by content), or undefined. */
export function difference(expected: unknown, actual: unknown, at: string): string | undefined {
  const bytes = (v: unknown) => v instanceof Uint8Array;
  if (bytes(expected) || bytes(actual)) {
    if (bytes(expected) && bytes(actual) && Buffer.compare(expected as Uint8Array, actual as Uint8Array) === 0) return undefined;
    return `${at}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${at}: expected ${show(expected)}, got ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(expected[i], actual[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const a = Object.keys(expected).sort();
    const b = Object.keys(actual).sort();
    if (a.join("\0") !== b.join("\0")) return `${at}: expected keys ${show(a)}, got ${show(b)} (value ${show(actual)})`;
    for (const k of a) {
      const d = difference(expected[k], actual[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${at}: expected ${show(expected)}, got ${show(actual)}`;
}

/** The class of a failure: its stage and message with names, numbers and locations left out. */
export function failureKind(stage: Stage, message: string): string {
  if (stage === "compile") {
    const codes = [...new Set([...message.matchAll(/error (TS\d+)/g)].map((m) => m[1]))].sort();
    const files = [...new Set([...message.matchAll(/out\/(\w+)\.ts/g)].map((m) => m[1]))].sort();
    return `compile ${files.join(",")} ${codes.join(",")}`;
  }
  const first = message.split("\n")[0]!.replace(/^(GET|POST|PUT|PATCH|DELETE) \S+: /, "");
  const generic = first
    .replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|'[^']*'/g, "…")
    .replace(/#\/\S*/g, "#…")
    .replace(/\S*\.json:\d+:\d+/g, "")
    .replace(/\d+/g, "N")
    .replace(/(expected|got) .*$/, "$1 …")
    .slice(0, 120);
  return `${stage} ${generic}`;
}

/** Runs one batch: every case through every stage; figures and failures. */
export async function runCases(
  cases: PropertyCase[],
  options: Omit<RunOptions, "count" | "seed">,
): Promise<{ figures: Omit<Figures, "seconds">; failures: Failure[] }> {
  const { dir, chunk = 200, log = () => {} } = options;
  await rm(dir, { recursive: true, force: true });
  const failures: Failure[] = [];
  const fail = (index: number, stage: Stage, message: string) => failures.push({ index, stage, kind: failureKind(stage, message), message });
  const generated: number[] = [];
  let compiled = 0;
  let roundTripped = 0;
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 1000);
  // A chunk's tsc (another process) runs while the next chunk generates.
  const decodeChunk = async (chunkDir: string, indices: number[], errors: Map<number, string[]>) => {
    for (const line of errors.get(-1) ?? []) fail(-1, "compile", line);
    for (const i of indices) {
      const compileErrors = errors.get(i);
      if (compileErrors) fail(i, "compile", compileErrors.join("\n"));
      else compiled++;
      const decodeError = await roundTrip(cases[i]!, outDir(chunkDir, i));
      if (decodeError) fail(i, "decode", decodeError);
      else if (!compileErrors) roundTripped++;
    }
  };
  let previous: Promise<void> = Promise.resolve();
  for (let from = 0; from < cases.length; from += chunk) {
    const chunkDir = path.join(dir, `c${from / chunk}`);
    const indices: number[] = [];
    for (let i = from; i < Math.min(cases.length, from + chunk); i++) {
      const error = await generateOne(cases[i]!, outDir(chunkDir, i));
      if (error) fail(i, "generate", error);
      else indices.push(i);
    }
    generated.push(...indices);
    log(`${from + indices.length}/${cases.length} generated (${seconds()} s)`);
    await previous;
    const checking = compileAll(chunkDir, indices);
    previous = checking.then(async (errors) => {
      log(`type-checked ${indices.length} (${seconds()} s)`);
      await decodeChunk(chunkDir, indices, errors);
    });
  }
  await previous;
  const failing = new Set(failures.map((f) => f.index));
  return {
    figures: {
      documents: cases.length,
      operations: cases.reduce((n, c) => n + c.built.operations.length, 0),
      generated: generated.length,
      compiled,
      roundTripped,
      failures: failing.size,
    },
    failures,
  };
}

/**
 * One case alone, in `root` (emptied), stage by stage; the first failure. `compile: false` skips tsc
 * (seconds per document) when only a decode failure matters.
 */
async function runOne(c: PropertyCase, root: string, compile = true): Promise<{ stage: Stage; message: string } | undefined> {
  await rm(root, { recursive: true, force: true });
  const dir = outDir(root, 0);
  const error = await generateOne(c, dir);
  if (error) return { stage: "generate", message: error };
  if (compile) {
    const errors = (await compileAll(root, [0])).get(0);
    if (errors) return { stage: "compile", message: errors.join("\n") };
  }
  const decodeError = await roundTrip(c, dir);
  return decodeError ? { stage: "decode", message: decodeError } : undefined;
}

export interface Shrunk {
  failure: Failure;
  /** The smallest failing document fast-check found, as YAML, and the failure it gives. */
  yaml: string;
  message: string;
}

/** Shrinks run `failure.index` of `seed` while it keeps failing the same way; `budgetMs` bounds the time. */
export async function shrink(failure: Failure, seed: number, dir: string, flags: AwaitingFix = AWAITING_FIX, budgetMs = 120_000): Promise<Shrunk> {
  let attempt = 0;
  const sameFailure = async (c: PropertyCase) => {
    const found = await runOne(c, path.join(dir, `a${attempt++}`), failure.stage === "compile");
    return found !== undefined && found.stage === failure.stage && failureKind(found.stage, found.message) === failure.kind;
  };
  const result = await fc.check(
    fc.asyncProperty(caseArb(flags), async (c) => !(await sameFailure(c))),
    {
      seed,
      path: String(failure.index),
      numRuns: failure.index + 1,
      interruptAfterTimeLimit: budgetMs,
      markInterruptAsFailure: false,
    },
  );
  const smallest = (result.counterexample?.[0] as PropertyCase | undefined) ?? drawCases(failure.index + 1, seed, flags)[failure.index]!;
  const found = await runOne(smallest, path.join(dir, "smallest"));
  await rm(dir, { recursive: true, force: true });
  return {
    failure,
    yaml: stringify(smallest.built.document, {
      aliasDuplicateObjects: false,
      lineWidth: 0,
    }),
    message: found?.message ?? "(passes alone)",
  };
}

/** Shrinks one failure of each class (at most `max` classes). */
export async function shrinkClasses(
  failures: Failure[],
  seed: number,
  dir: string,
  flags: AwaitingFix = AWAITING_FIX,
  max = 6,
  budgetMs = 120_000,
): Promise<Shrunk[]> {
  const firstOfKind = new Map<string, Failure>();
  for (const f of failures) if (f.index >= 0 && !firstOfKind.has(f.kind)) firstOfKind.set(f.kind, f);
  const out: Shrunk[] = [];
  for (const failure of [...firstOfKind.values()].slice(0, max)) out.push(await shrink(failure, seed, path.join(dir, `shrink${out.length}`), flags, budgetMs));
  return out;
}
