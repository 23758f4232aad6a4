/**
 * A small doc printer with prettier 3's semantics (src/document/printer.js) for the subset of
 * commands the types printer uses: concat, group, indent, align, line/softline/hardline, ifBreak.
 * Same docs in, same text out, so a doc built the way prettier builds it prints byte-identically.
 * Indentation is spaces only (prettier's default `useTabs: false`, `tabWidth: 2`).
 */

export type Doc = string | Doc[] | Group | Indent | Align | Line | IfBreak;

const GROUP = 0;
const INDENT = 1;
const ALIGN = 2;
const LINE = 3;
const IF_BREAK = 4;

interface Group {
  t: typeof GROUP;
  c: Doc;
  /** prettier's `group.break`, including breaks propagated from hard lines inside. */
  brk: boolean;
}
interface Indent {
  t: typeof INDENT;
  c: Doc;
}
interface Align {
  t: typeof ALIGN;
  n: number;
  c: Doc;
}
interface Line {
  t: typeof LINE;
  soft: boolean;
  hard: boolean;
}
interface IfBreak {
  t: typeof IF_BREAK;
  b: Doc;
  f: Doc;
}

export const line: Line = { t: LINE, soft: false, hard: false };
export const softline: Line = { t: LINE, soft: true, hard: false };
/** A hard line breaks every enclosing group (prettier's `hardline` = line + breakParent). */
export const hardline: Line = { t: LINE, soft: false, hard: true };

export const indent = (c: Doc): Indent => ({ t: INDENT, c });
export const align = (n: number, c: Doc): Align => ({ t: ALIGN, n, c });
export const ifBreak = (b: Doc, f: Doc = ""): IfBreak => ({ t: IF_BREAK, b, f });

/** `propagateBreaks` done on construction: a group breaks when it must or when anything inside does. */
export function group(c: Doc, shouldBreak = false): Group {
  return { t: GROUP, c, brk: shouldBreak || breaks(c) };
}

export function breaks(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) return doc.some(breaks);
  switch (doc.t) {
    case GROUP:
      return doc.brk;
    case LINE:
      return doc.hard;
    case IF_BREAK:
      return breaks(doc.b) || breaks(doc.f);
    default:
      return breaks(doc.c);
  }
}

export function join(separator: Doc, docs: Doc[]): Doc[] {
  const parts: Doc[] = [];
  docs.forEach((doc, i) => {
    if (i > 0) parts.push(separator);
    parts.push(doc);
  });
  return parts;
}

const FLAT = false;
const BREAK = true;
type Mode = boolean;

/**
 * The printer's command stack as parallel arrays (indentation, mode, doc): millions of commands
 * on a large document, without an object each.
 */
class Commands {
  ind: number[] = [];
  mode: Mode[] = [];
  doc: Doc[] = [];
  get length() {
    return this.doc.length;
  }
  push(ind: number, mode: Mode, doc: Doc): void {
    this.ind.push(ind);
    this.mode.push(mode);
    this.doc.push(doc);
  }
}

/** prettier's `fits`: does `doc` in flat mode, then the rest of the current line from `rest`, fit in `width`? */
function fits(doc: Doc, rest: Commands, width: number, stringWidth: (s: string) => number): boolean {
  let restIndex = rest.length;
  const modes: Mode[] = [FLAT];
  const docs: Doc[] = [doc];
  while (width >= 0) {
    if (docs.length === 0) {
      if (restIndex === 0) return true;
      restIndex--;
      modes.push(rest.mode[restIndex]!);
      docs.push(rest.doc[restIndex]!);
      continue;
    }
    const mode = modes.pop()!;
    const d = docs.pop()!;
    if (typeof d === "string") {
      width -= stringWidth(d);
    } else if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) {
        modes.push(mode);
        docs.push(d[i]!);
      }
    } else {
      switch (d.t) {
        case GROUP:
          modes.push(d.brk ? BREAK : mode);
          docs.push(d.c);
          break;
        case LINE:
          if (mode === BREAK || d.hard) return true;
          if (!d.soft) width -= 1;
          break;
        case IF_BREAK: {
          const contents = mode === BREAK ? d.b : d.f;
          if (contents) {
            modes.push(mode);
            docs.push(contents);
          }
          break;
        }
        default:
          modes.push(mode);
          docs.push(d.c);
      }
    }
  }
  return false;
}

/** prettier's `printDocToString` (no fill, line suffixes, group ids or cursors: the types printer needs none). */
export function printDoc(doc: Doc, printWidth: number, stringWidth: (s: string) => number): string {
  const out: string[] = [];
  let position = 0;
  let shouldRemeasure = false;
  const commands = new Commands();
  commands.push(0, BREAK, doc);
  while (commands.length > 0) {
    const ind = commands.ind.pop()!;
    const mode = commands.mode.pop()!;
    const d = commands.doc.pop()!;
    if (typeof d === "string") {
      if (d) {
        out.push(d);
        position += stringWidth(d);
      }
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) commands.push(ind, mode, d[i]!);
      continue;
    }
    switch (d.t) {
      case INDENT:
        commands.push(ind + 2, mode, d.c);
        break;
      case ALIGN:
        commands.push(ind + d.n, mode, d.c);
        break;
      case GROUP: {
        if (mode === FLAT && !shouldRemeasure) {
          commands.push(ind, d.brk ? BREAK : FLAT, d.c);
          break;
        }
        shouldRemeasure = false;
        const flat = !d.brk && fits(d.c, commands, printWidth - position, stringWidth);
        commands.push(ind, flat ? FLAT : BREAK, d.c);
        break;
      }
      case IF_BREAK: {
        const contents = mode === BREAK ? d.b : d.f;
        if (contents) commands.push(ind, mode, contents);
        break;
      }
      case LINE:
        if (mode === FLAT && !d.hard) {
          if (!d.soft) {
            out.push(" ");
            position += 1;
          }
          break;
        }
        if (mode === FLAT) shouldRemeasure = true;
        trimTrailingBlanks(out);
        out.push("\n" + " ".repeat(ind));
        position = ind;
        break;
    }
  }
  return out.join("");
}

/** prettier trims spaces and tabs before every line break. */
function trimTrailingBlanks(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    const end = last.charCodeAt(last.length - 1);
    if (end !== 32 && end !== 9) return;
    const trimmed = last.replace(/[ \t]+$/, "");
    if (trimmed.length > 0) {
      out[out.length - 1] = trimmed;
      return;
    }
    out.pop();
  }
}
