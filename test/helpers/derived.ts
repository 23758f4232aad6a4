/**
 * handlers.ts names most operations' types as `rt.RequestOf<operations["id"]>` /
 * `rt.ResponseOf<…>` (runtime/serve/operation-types.ts) instead of spelling them out. Next to a
 * generated handlers.ts this writes handlers-explicit.ts (every operation spelled out, as the
 * generator did before) and derived-checks.ts, which tsc compiles only if each operation's request
 * and response types are identical in both (tsc's identity relation, not mutual assignability).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { buildModel, DEFAULT_RUNTIME_IMPORT, loadSpec, type OperationModel } from "../../generator/index.js";
import { emitHandlers } from "../../generator/emit/handlers.js";
import { formatTypeScript } from "../../generator/format.js";

export const IDENTICAL = "type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;";

/** Writes both files into `dir` (the output for `spec`); returns the operations compared. */
export async function writeDerivedChecks(spec: string, dir: string, mutated?: string): Promise<OperationModel[]> {
  const model = buildModel(await loadSpec(spec));
  const all = [...model.operations, ...model.webhooks];
  await writeFile(path.join(dir, "handlers-explicit.ts"), await formatTypeScript(emitHandlers(model, DEFAULT_RUNTIME_IMPORT, true, false)));
  const lines = [
    'import type * as Derived from "./handlers.js";',
    'import type * as Explicit from "./handlers-explicit.js";',
    IDENTICAL,
    "type Expect<T extends true> = T;",
    "export type DerivedChecks = [",
    ...all.flatMap((op) => [`${op.typeName}Request`, `${op.typeName}Response`].map((t) => `  Expect<Identical<Derived.${t}, Explicit.${t}>>,`)),
    "];",
  ];
  if (mutated) lines.push(mutated);
  await writeFile(path.join(dir, "derived-checks.ts"), `${lines.join("\n")}\n`);
  return all;
}
