/**
 * Line and column of JSON pointers in loaded sources, for diagnostics: the same positions Redocly's
 * `getLineColLocation` gives, without its cost (it rescans the text from the start for every
 * problem, and parses a JSON file a second time through its YAML AST parser).
 *
 * Sources JSON.parse read are located by one scan of the text that descends only where a pointer
 * leads; others (YAML, and JSON only the YAML parser accepts) use Redocly's AST, parsed once.
 */
import { readFileSync } from "node:fs";
import { getAstNodeByPointer, getLineColLocation } from "@redocly/openapi-core/lib/format/codeframes.js";
import { unescapePointer } from "@redocly/openapi-core/lib/ref-utils.js";
import type { Source } from "@redocly/openapi-core/lib/resolve.js";
import { locator, pointerTokens } from "../diagnostics.js";
import { isParsedAsJson } from "./json.js";

export interface Position {
  line: number;
  column: number;
}

export interface PositionRequest {
  source: Source;
  pointer: string;
  /** Point at the property name rather than its value. */
  reportOnKey: boolean;
}

/** Positions for every request (undefined where the pointer cannot be read), in order. */
export function locateAll(requests: PositionRequest[]): (Position | undefined)[] {
  const bySource = new Map<Source, number[]>();
  requests.forEach((r, i) => {
    const list = bySource.get(r.source);
    if (list) list.push(i);
    else bySource.set(r.source, [i]);
  });
  const out: (Position | undefined)[] = new Array(requests.length);
  for (const [source, indexes] of bySource) {
    const picked = indexes.map((i) => requests[i]!);
    const spans = (isParsedAsJson(source) && jsonSpans(source.body, picked)) || yamlSpans(source, picked);
    indexes.forEach((i, k) => (out[i] = spans[k] && toPosition(lineStarts(source), spans[k]!)));
  }
  return out;
}

interface Span {
  start: number;
  end: number;
}

/** Redocly's pointer split for locating (`#/a/b` → `a`, `b`; URI-decoded; may throw). */
function segmentsOf(pointer: string): string[] {
  return pointer.substring(2).split("/").map(unescapePointer);
}

/**
 * Positions of pointers (`pointerOf`'s: `~` escapes, no percent-encoding) in a file read anew, for
 * diagnostics found after loading (the model's). A JSON file is scanned once for all of them; YAML
 * goes to the YAML parser (`locator`), which for Microsoft Graph's 20 MB of JSON took 5 s.
 */
export function locatePointers(file: string, pointers: readonly string[]): (Position | undefined)[] {
  if (pointers.length === 0) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return pointers.map(() => undefined);
  }
  const spans = /^\s*[{[]/.test(text)
    ? jsonSpans(
        text,
        pointers.map((pointer) => ({ pointer, reportOnKey: false })),
        pointerTokens,
      )
    : undefined;
  if (!spans) {
    const locate = locator(file);
    return pointers.map((pointer) => locate(pointer));
  }
  const starts = lineStartsOf(text);
  return spans.map((span) => span && toPosition(starts, span));
}

// --- YAML: Redocly's AST, parsed once per source -------------------------------------------------

const parsedAst = new WeakSet<Source>();

function yamlSpans(source: Source, requests: PositionRequest[]): (Span | undefined)[] {
  if (!parsedAst.has(source)) {
    // Redocly parses and caches the AST on first use; its parser is not exported on its own.
    try {
      getLineColLocation({ source, pointer: "#/", reportOnKey: false } as never);
    } catch {
      return requests.map(() => undefined);
    }
    parsedAst.add(source);
  }
  const ast = source.getAst((() => undefined) as never) as never;
  return requests.map((r) => {
    try {
      const node = getAstNodeByPointer(ast, r.pointer, r.reportOnKey) as { startPosition?: number; endPosition?: number } | undefined;
      return { start: node?.startPosition ?? 1, end: node?.endPosition ?? 1 };
    } catch {
      return undefined;
    }
  });
}

// --- JSON: one scan, descending only along the requested pointers ---------------------------------

interface Wanted {
  children: Map<string, Wanted>;
  /** Where the value was found (first occurrence, like the YAML AST lookup). */
  value?: Span;
  key?: Span;
  kind?: "object" | "array" | "scalar";
}

/** Undefined if the text cannot be scanned (it always can when JSON.parse read it). */
function jsonSpans(
  text: string,
  requests: Omit<PositionRequest, "source">[],
  split: (pointer: string) => string[] = segmentsOf,
): (Span | undefined)[] | undefined {
  const root: Wanted = { children: new Map() };
  const paths = requests.map((r) => {
    try {
      const segments = split(r.pointer);
      let node = root;
      for (const segment of segments) {
        let child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = { children: new Map() }));
        node = child;
      }
      return segments;
    } catch {
      return undefined;
    }
  });
  try {
    new JsonScanner(text).value(skipSpace(text, 0), root);
  } catch {
    return undefined;
  }
  return requests.map((r, i) => {
    const segments = paths[i];
    if (!segments) return undefined;
    let node = root;
    let parentKind: Wanted["kind"];
    for (const segment of segments) {
      if (node.kind === "scalar") break;
      const child = node.children.get(segment);
      if (!child?.value) break;
      parentKind = node.kind;
      node = child;
    }
    return r.reportOnKey && parentKind === "object" ? node.key : node.value;
  });
}

const QUOTE = 34,
  BACKSLASH = 92,
  OPEN_BRACE = 123,
  CLOSE_BRACE = 125,
  OPEN_BRACKET = 91,
  CLOSE_BRACKET = 93,
  COMMA = 44,
  COLON = 58;

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

class JsonScanner {
  constructor(private readonly text: string) {}

  /** Reads the value at `i`, recording it in `wanted` (if any); returns the index after it. */
  value(i: number, wanted: Wanted | undefined): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (!wanted || wanted.value) return this.skip(i);
    let end: number;
    if (c === OPEN_BRACE) {
      wanted.kind = "object";
      end = wanted.children.size ? this.object(i, wanted) : this.skip(i);
    } else if (c === OPEN_BRACKET) {
      wanted.kind = "array";
      end = wanted.children.size ? this.array(i, wanted) : this.skip(i);
    } else {
      wanted.kind = "scalar";
      end = this.skip(i);
    }
    wanted.value = { start: i, end };
    return end;
  }

  private object(i: number, wanted: Wanted): number {
    const text = this.text;
    i = skipSpace(text, i + 1);
    if (text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
    for (;;) {
      const keyStart = i;
      const keyEnd = this.string(i);
      const raw = text.slice(keyStart + 1, keyEnd - 1);
      const name = raw.includes("\\") ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw;
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) throw new Error("expected :");
      i = skipSpace(text, i + 1);
      const child = wanted.children.get(name);
      if (child && !child.value) child.key = { start: keyStart, end: keyEnd };
      i = skipSpace(text, this.value(i, child));
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) throw new Error("expected ,");
      i = skipSpace(text, i + 1);
    }
  }

  private array(i: number, wanted: Wanted): number {
    const text = this.text;
    i = skipSpace(text, i + 1);
    if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    for (let index = 0; ; index++) {
      i = skipSpace(text, this.value(i, wanted.children.get(String(index))));
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACKET) return i + 1;
      if (c !== COMMA) throw new Error("expected ,");
      i = skipSpace(text, i + 1);
    }
  }

  /** Index after the string starting at `i`. */
  private string(i: number): number {
    const text = this.text;
    for (let j = i + 1; ;) {
      const q = text.indexOf('"', j);
      if (q < 0) throw new Error("unterminated string");
      let backslashes = 0;
      while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** Index after the value starting at `i`, without recording anything. */
  private skip(i: number): number {
    const text = this.text;
    let c = text.charCodeAt(i);
    if (c === QUOTE) return this.string(i);
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
      while (i < text.length && c !== COMMA && c !== CLOSE_BRACE && c !== CLOSE_BRACKET && c !== 32 && c !== 10 && c !== 13 && c !== 9)
        c = text.charCodeAt(++i);
      return i;
    }
    let depth = 0;
    for (; i < text.length; i++) {
      c = text.charCodeAt(i);
      if (c === QUOTE) i = this.string(i) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    throw new Error("unterminated value");
  }
}

// --- Offsets to line and column ------------------------------------------------------------------

const lineTables = new WeakMap<Source, number[]>();

function lineStarts(source: Source): number[] {
  let starts = lineTables.get(source);
  if (!starts) lineTables.set(source, (starts = lineStartsOf(source.body)));
  return starts;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Redocly's convention: the position of offset `start` (1-based), or 1:1 when the span is empty or at 0. */
function toPosition(starts: number[], { start, end }: Span): Position {
  if (start < 1 || start >= end) return { line: 1, column: 1 };
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= start) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: start - starts[low]! + 1 };
}
