/**
 * Format: prettier with fixed options, so output does not depend on the user's configuration.
 *
 * Emitters separate top-level statements with STATEMENT_BREAK and mark the statements they
 * printed in prettier's layout themselves (generator/print/) with formattedStatement: those pass
 * through, and only the runs of statements between them go to prettier. Pieces are joined the way
 * prettier joins statements (one blank line kept where the source had one), so the result is
 * byte-identical to prettier on the whole file.
 */
import type { Options } from "prettier";

export const PRETTIER_OPTIONS: Options = { parser: "typescript", printWidth: 100 };

/**
 * Emitters put this between top-level statements where a formatter may split the file. It is a
 * line of its own that generated code cannot otherwise contain (comments from the spec are
 * escaped, string literals never span lines).
 */
export const STATEMENT_BREAK = "\n/*@@statement@@*/\n";

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

let prettierModule: Promise<typeof import("prettier")> | undefined;
const prettier = () => (prettierModule ??= import("prettier"));

interface Piece {
  text: string;
  /** Whether the source had a blank line between this piece and the previous one. */
  blankBefore: boolean;
  /** Printed by the emitter already: passed through. */
  formatted: boolean;
}

/** A source's statements as pieces: each printed statement alone, the runs between them together. */
function pieces(source: string): Piece[] {
  const out: Piece[] = [];
  let current: string[] = [];
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
  };
  for (const statement of source.split(STATEMENT_BREAK)) {
    if (statement.startsWith(FORMATTED)) {
      flush();
      push(statement.slice(FORMATTED.length), true);
    } else current.push(statement);
  }
  flush();
  return out;
}

/** Formats a source: printed statements as they are, the rest with prettier. */
export async function formatTypeScript(source: string): Promise<string> {
  const parts = pieces(source);
  const formatted = await Promise.all(
    parts.map(async (part) => (part.formatted ? part.text.replace(/\s+$/, "") + "\n" : (await prettier()).format(part.text, PRETTIER_OPTIONS))),
  );
  let out = "";
  for (const [i, text] of formatted.entries()) {
    if (text === "") continue;
    if (out !== "" && parts[i]!.blankBefore) out += "\n";
    out += text;
  }
  return out;
}
