/**
 * handlers.ts names most operations' types as `rt.RequestOf<operations["id"]>` /
 * `rt.ResponseOf<…>` (runtime/serve/operation-types.ts) instead of spelling them out, and client.ts
 * types its client as `rt.ClientOf<Handlers>`. Next to a generated output this writes
 * handlers-explicit.ts and client-explicit.ts (every operation spelled out, as the generator did
 * before) and derived-checks.ts, which tsc compiles only if each operation's request and response
 * types, and each client method's parameters and return type, are identical in both (tsc's
 * identity relation, not mutual assignability).
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { buildModel, DEFAULT_RUNTIME_IMPORT, loadSpec, type OperationModel } from "../../generator/index.js";
import { emitClient } from "../../generator/emit/client.js";
import { emitHandlers } from "../../generator/emit/handlers.js";
import { formatTypeScript } from "../../generator/format.js";

export const IDENTICAL = "type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;";

/** Writes both files into `dir` (the output for `spec`); returns the operations compared. */
export async function writeDerivedChecks(spec: string, dir: string, mutated?: string): Promise<OperationModel[]> {
  const model = buildModel(await loadSpec(spec));
  const all = [...model.operations, ...model.webhooks];
  await writeFile(path.join(dir, "handlers-explicit.ts"), await formatTypeScript(emitHandlers(model, DEFAULT_RUNTIME_IMPORT, true, false)));
  const client = existsSync(path.join(dir, "client.ts"));
  if (client) await writeFile(path.join(dir, "client-explicit.ts"), await formatTypeScript(emitClient(model, DEFAULT_RUNTIME_IMPORT, true, false)));
  /** A client method's parameters and return type, derived against spelled out. */
  const method = (type: string, name: string) =>
    ["Parameters", "ReturnType"].map(
      (f) => `  Expect<Identical<${f}<DerivedClient.${type}[${JSON.stringify(name)}]>, ${f}<ExplicitClient.${type}[${JSON.stringify(name)}]>>>,`,
    );
  const lines = [
    'import type * as Derived from "./handlers.js";',
    'import type * as Explicit from "./handlers-explicit.js";',
    ...(client ? ['import type * as DerivedClient from "./client.js";', 'import type * as ExplicitClient from "./client-explicit.js";'] : []),
    IDENTICAL,
    "type Expect<T extends true> = T;",
    "export type DerivedChecks = [",
    ...all.flatMap((op) => [`${op.typeName}Request`, `${op.typeName}Response`].map((t) => `  Expect<Identical<Derived.${t}, Explicit.${t}>>,`)),
    ...(client
      ? [...model.operations.flatMap((op) => method("Client", op.handlerName)), ...model.webhooks.flatMap((op) => method("WebhookClient", op.handlerName))]
      : []),
    "];",
  ];
  if (mutated) lines.push(mutated);
  await writeFile(path.join(dir, "derived-checks.ts"), `${lines.join("\n")}\n`);
  return all;
}
