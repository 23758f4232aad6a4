/**
 * Format: prettier with fixed options, so output does not depend on the user's configuration.
 *
 * Large outputs are formatted in pieces on worker threads: emitters separate top-level
 * statements with STATEMENT_BREAK, pieces of about PIECE_BYTES are formatted independently
 * (prettier's output for a top-level statement does not depend on its neighbours) and joined
 * the way prettier joins statements (one blank line kept where the source had one). Smaller
 * outputs are formatted in this thread, where starting workers would cost more than it saves.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Options } from "prettier";

export const PRETTIER_OPTIONS: Options = { parser: "typescript", printWidth: 100 };

/**
 * Emitters put this between top-level statements where a formatter may split the file. It is a
 * line of its own that generated code cannot otherwise contain (comments from the spec are
 * escaped, string literals never span lines).
 */
export const STATEMENT_BREAK = "\n/*@@statement@@*/\n";

/** How much of a source prettier has to format: its statements not printed by their emitter. */
export function unformattedBytes(source: string): number {
  let bytes = 0;
  for (const statement of source.split(STATEMENT_BREAK)) if (!statement.startsWith(FORMATTED)) bytes += statement.length;
  return bytes;
}

/** Joins top-level statements so the formatter may split between them. */
export function joinStatements(statements: readonly string[]): string {
  return statements.join(STATEMENT_BREAK);
}

const FORMATTED = "/*@@formatted@@*/\n";

/**
 * Marks a statement an emitter printed in prettier's layout itself (generator/print/): the
 * formatter passes it through untouched. A trailing newline, as elsewhere, means a blank line follows.
 */
export function formattedStatement(text: string): string {
  return FORMATTED + text;
}

const PIECE_BYTES = 128 * 1024;
/**
 * Below this much source for prettier in all, format in this thread: each worker pays
 * prettier's start-up and JIT warm-up again (measured: DigitalOcean's 1.1 MB handlers.ts took
 * 5.5 s here, 8.2 s on two cold workers, 3.8 s on warm ones), so only a large volume gains.
 */
const WORKER_THRESHOLD = 4 * 1024 * 1024;

let prettierModule: Promise<typeof import("prettier")> | undefined;
const prettier = () => (prettierModule ??= import("prettier"));

const prettierHere = async (text: string) => (await prettier()).format(text, PRETTIER_OPTIONS);

/** Formats one source in this thread. */
export function formatTypeScript(source: string): Promise<string> {
  return formatPieces(source, prettierHere);
}

interface Piece {
  text: string;
  /** Whether the source had a blank line between this piece and the previous one. */
  blankBefore: boolean;
  /** Printed by the emitter already: passed through. */
  formatted: boolean;
}

/**
 * Groups a source's statements into pieces of about PIECE_BYTES; a statement printed by its
 * emitter is a piece of its own.
 */
function pieces(source: string): Piece[] {
  const out: Piece[] = [];
  let current: string[] = [];
  let size = 0;
  let previous: string | undefined;
  let blankPending = false;
  const push = (text: string, formatted: boolean) => {
    // Blank lines alone (an empty statement): the separation they stand in is blank.
    if (!/\S/.test(text)) {
      blankPending ||= previous !== undefined;
      return;
    }
    // The join point is blank when either side has a newline of its own next to the break.
    const blankBefore = previous !== undefined && (blankPending || /\n[ \t]*$/.test(previous) || /^[ \t]*\n/.test(text));
    out.push({ text, blankBefore, formatted });
    previous = text;
    blankPending = false;
  };
  const flush = () => {
    if (current.length > 0) push(current.join("\n"), false);
    current = [];
    size = 0;
  };
  for (const statement of source.split(STATEMENT_BREAK)) {
    if (statement.startsWith(FORMATTED)) {
      flush();
      push(statement.slice(FORMATTED.length), true);
      continue;
    }
    // Split only before a statement with content, so that blank lines stay inside a piece.
    if (size >= PIECE_BYTES && /\S/.test(statement)) flush();
    current.push(statement);
    size += statement.length;
  }
  flush();
  return out;
}

/** Formats a source piece by piece with `format` (prettier, here or on a worker) and joins the results. */
async function formatPieces(source: string, format: (text: string) => Promise<string>, largestFirst = false): Promise<string> {
  const parts = pieces(source);
  const order = parts.map((_, i) => i);
  if (largestFirst) order.sort((a, b) => parts[b]!.text.length - parts[a]!.text.length);
  const formatted = new Array<string>(parts.length);
  await Promise.all(
    order.map(async (i) => {
      const part = parts[i]!;
      formatted[i] = part.formatted ? part.text.replace(/\s+$/, "") + "\n" : await format(part.text);
    }),
  );
  let out = "";
  for (const [i, text] of formatted.entries()) {
    if (text === "") continue;
    if (out !== "" && parts[i]!.blankBefore) out += "\n";
    out += text;
  }
  return out;
}

/** A small pool of worker threads running prettier, fed pieces on demand. */
class FormatPool {
  #workers: Worker[];
  #idle: Worker[] = [];
  #queue: { text: string; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  #pending = new Map<Worker, { resolve: (s: string) => void; reject: (e: Error) => void }>();

  constructor(size: number) {
    const prettierUrl = pathToFileURL(createRequire(import.meta.url).resolve("prettier")).href;
    // An eval'd worker (no file of its own) works alike from dist/ and from the TypeScript sources.
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      const ready = import(workerData.prettierUrl).then((m) => m.default ?? m);
      parentPort.on("message", async (text) => {
        try {
          const prettier = await ready;
          parentPort.postMessage({ ok: await prettier.format(text, workerData.options) });
        } catch (err) {
          parentPort.postMessage({ error: String(err && err.message || err) });
        }
      });`;
    this.#workers = Array.from({ length: size }, () => {
      const worker = new Worker(code, { eval: true, workerData: { prettierUrl, options: PRETTIER_OPTIONS } });
      worker.on("message", (m: { ok?: string; error?: string }) => {
        const job = this.#pending.get(worker)!;
        this.#pending.delete(worker);
        if (m.error !== undefined) job.reject(new Error(`prettier: ${m.error}`));
        else job.resolve(m.ok!);
        this.#next(worker);
      });
      worker.on("error", (err) => this.#pending.get(worker)?.reject(err));
      return worker;
    });
    this.#idle = [...this.#workers];
  }

  format(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ text, resolve, reject });
      const worker = this.#idle.pop();
      if (worker) this.#next(worker);
    });
  }

  #next(worker: Worker): void {
    const job = this.#queue.shift();
    if (!job) {
      this.#idle.push(worker);
      return;
    }
    this.#pending.set(worker, job);
    worker.postMessage(job.text);
  }

  close(): Promise<unknown> {
    return Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

export interface Formatter {
  /** The formatted source: byte-identical to prettier's output for the whole source. */
  format(source: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A formatter for sources of about `expectedBytes` in all: in this thread when that is small,
 * else on worker threads, a source's pieces spread over them (largest first, so both cores stay
 * busy to the end). Sources may be added while others are being formatted.
 */
export function createFormatter(expectedBytes: number): Formatter {
  const threads = Math.min(availableParallelism(), 4);
  if (expectedBytes < WORKER_THRESHOLD || threads < 2) return { format: formatTypeScript, close: async () => {} };
  const pool = new FormatPool(threads);
  return {
    format: (source) => formatPieces(source, (text) => pool.format(text), true),
    close: async () => void (await pool.close()),
  };
}
