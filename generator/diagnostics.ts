import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Document, LineCounter } from "yaml";
import { escapePointer } from "@symphony-codegen/runtime/internal/serve/envelope.js";
/** Errors about the input document, each naming file, JSON pointer and (for YAML) line and column. */
export interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  file?: string;
  /** JSON pointer inside `file`, e.g. `#/paths/~1pets/get`. */
  pointer?: string;
  line?: number;
  column?: number;
}

export function formatDiagnostic(d: Diagnostic): string {
  const place = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ""}` : "";
  const pointer = d.pointer !== undefined ? ` ${d.pointer.startsWith("#") ? d.pointer : "#" + d.pointer}` : "";
  return `${place}${pointer}${place || pointer ? ": " : ""}${d.severity}: ${d.message}`;
}

/** Generation failed because of the input; the message lists every diagnostic. */
export class SpecError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "SpecError";
  }
}

/** Why a file could not be read, from the error's code (or Redocly's folder message): `no such file`, `is a directory`, `permission denied`. */
const READ_FAILURES: [RegExp, string][] = [
  [/^ENOENT\b/, "no such file"],
  [/^EISDIR\b|^Expected a file but received a folder/, "is a directory"],
  [/^EACCES\b|^EPERM\b/, "permission denied"],
];

/** `cannot read <file>: <why>` for a failed read, when the reason is one of the known ones. */
export function readFailure(file: string, reason: string): string | undefined {
  const why = READ_FAILURES.find(([re]) => re.test(reason))?.[1];
  return why && `cannot read ${displayPath(file)}: ${why}`;
}

/**
 * Redocly's `Can't resolve $ref[: <error>]`, naming the reference as written and, when a file
 * could not be read, that file in words: `Can't resolve $ref "./pets.yaml#/Pet": cannot read pets.yaml: no such file`.
 */
export function nameUnresolvedRef(message: string, ref: string): string {
  const match = /^Can't resolve \$ref(?:: ([\s\S]*))?$/.exec(message);
  if (!match) return message;
  let reason = match[1];
  // Node's fs messages end with the path: "ENOENT: no such file or directory '/abs/pets.yaml'".
  const file = reason && (/'([^']+)'$/.exec(reason)?.[1] ?? /received a folder at (.+)\.$/.exec(reason)?.[1]);
  if (reason && file) reason = readFailure(file, reason) ?? reason;
  return `Can't resolve $ref ${JSON.stringify(ref)}${reason ? ": " + reason : ""}`;
}

/** One JSON pointer token, escaped (RFC 6901): the runtime's, so both halves write pointers alike. */
export const escapePointerToken = escapePointer;

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The keys of a local reference (`#/a/b~1c/%25`), percent-decoded where it is percent-encoding; an empty segment is a key (""). */
export function referenceTokens(ref: string): string[] {
  const text = ref.replace(/^#\/?/, "");
  return text === "" ? [] : text.split("/").map((raw) => unescapePointerToken(decodeOrKeep(raw)));
}

function decodeOrKeep(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // not percent-encoding: a key with a bare "%"
  }
}

export function pointerOf(...tokens: (string | number)[]): string {
  return "#" + tokens.map((t) => "/" + escapePointerToken(String(t))).join("");
}

/**
 * A discriminator mapping value as a `$ref`: a URI reference as written, a bare schema name (`Dog`)
 * the component `#/components/schemas/Dog` of the root document, reached by `toRoot` (the root file
 * relative to the mapping's own, "" in the root). What is a name is Redocly's test (its bundler's too).
 */
/**
 * Whether a discriminator mapping value is a reference rather than a schema name: Redocly's rule
 * (`isMappingRef`), kept here so that loading this module (the CLI's no-op path does) loads no Redocly.
 */
export function isMappingRef(mapping: string): boolean {
  return /^(#|https?:\/\/|\.\.?\/)/.test(mapping) || mapping.includes("/");
}

export function mappingRef(target: string, toRoot = ""): string {
  return isMappingRef(target) ? target : toRoot + pointerOf("components", "schemas", target);
}

export type Position = { line: number; column: number };

/**
 * Line and column of a JSON pointer in a YAML or JSON file (for diagnostics found
 * after loading, e.g. in the model). Undefined when the pointer is not in that file.
 */
export function locate(file: string, pointer: string): Position | undefined {
  return locator(file)(pointer);
}

/**
 * `locate` for many pointers in one file: the file is read and parsed once, on the first call
 * (a spec with thousands of model warnings took minutes when each one parsed it again).
 */
export function locator(file: string): (pointer: string) => Position | undefined {
  let parsed: { doc: Document.Parsed; lineCounter: LineCounter } | null | undefined;
  return (pointer) => {
    if (parsed === undefined) {
      try {
        const { LineCounter, parseDocument } = yaml();
        const lineCounter = new LineCounter();
        const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter, keepSourceTokens: false, uniqueKeys: false, merge: true });
        parsed = { doc, lineCounter };
      } catch {
        parsed = null;
      }
    }
    return parsed ? positionIn(parsed.doc, parsed.lineCounter, pointer) : undefined;
  };
}

/** The keys of a pointer as `pointerOf` writes it (`~` escapes only). */
export function pointerTokens(pointer: string): string[] {
  const text = pointer.replace(/^#\/?/, "");
  return text === "" ? [] : text.split("/").map(unescapePointerToken);
}

/** The yaml package, loaded when a line is first needed: ~100 ms of every run's start-up otherwise. */
let yamlPackage: typeof import("yaml") | undefined;
const yaml = () => (yamlPackage ??= createRequire(import.meta.url)("yaml") as typeof import("yaml"));

function positionIn(doc: Document.Parsed, lineCounter: LineCounter, pointer: string): Position | undefined {
  const { isMap, isScalar, isSeq } = yaml();
  const tokens = pointerTokens(pointer);
  let node: unknown = doc.contents;
  for (const token of tokens) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === token);
      if (!pair) return undefined;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      node = node.items[Number(token)];
    } else return undefined;
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}

/** A file as shown in messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  if (/^https?:/.test(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") && rel.split(path.sep).length > 4 ? file : rel || file;
}
