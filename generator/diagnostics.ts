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

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointerOf(...tokens: (string | number)[]): string {
  return "#" + tokens.map((t) => "/" + escapePointerToken(String(t))).join("");
}
