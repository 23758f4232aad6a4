/** Format: prettier with fixed options, so output does not depend on the user's configuration. */
import * as prettier from "prettier";

export const PRETTIER_OPTIONS: prettier.Options = { parser: "typescript", printWidth: 100 };

export function formatTypeScript(source: string): Promise<string> {
  return prettier.format(source, PRETTIER_OPTIONS);
}
