/**
 * schemas.ts and operations.ts of one description formatted the old way (every statement through
 * prettier) and the new way (statements printed by generator/print/expr-printer.ts, the rest
 * through prettier): the final texts must be identical; prints the share printed directly and
 * the time each way takes.
 *   npx tsx bench/zod-printer.ts [spec]   (default: GitHub's description)
 */
import { createRequire } from "node:module";
import { emitOperations, emitSchemas } from "../generator/emit/operations.js";
import { ZodEmitter } from "../generator/emit/zod.js";
import { formatTypeScript, STATEMENT_BREAK } from "../generator/format.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { ExprPrinter } from "../generator/print/expr-printer.js";

const spec = process.argv[2] ?? createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
const model = buildModel(await loadSpec(spec, {}));
const zod = new ZodEmitter(model.document, model.openapiVersion);
zod.emitComponents(model.schemas);
const runtime = "@symphony-codegen/runtime";

const emit = (printer: ExprPrinter | null) => {
  const started = performance.now();
  // Operations first, as in generation (they may add constants).
  const operations = emitOperations(model, zod, runtime, printer);
  const sources = [emitSchemas(zod, runtime, printer), operations];
  return { sources, ms: performance.now() - started };
};
const before = emit(null);
const after = emit(new ExprPrinter());

const statements = before.sources.flatMap((s) => s.split(STATEMENT_BREAK)).filter((s) => /\S/.test(s));
const printed = after.sources.flatMap((s) => s.split(STATEMENT_BREAK)).filter((s) => /\S/.test(s) && !statements.includes(s));
const bytes = (sources: string[]) => sources.reduce((n, s) => n + s.length, 0);
console.log(`${spec}`);
console.log(`  ${statements.length} statements (${(bytes(before.sources) / 1e6).toFixed(2)} MB), ${printed.length} printed directly, ${statements.length - printed.length} left to prettier`);

async function time(label: string, run: () => Promise<string[]>): Promise<string[]> {
  const started = performance.now();
  const out = await run();
  console.log(`  ${label}: ${(performance.now() - started).toFixed(0)} ms`);
  return out;
}

for (let round = 1; round <= 2; round++) {
  console.log(`round ${round}`);
  console.log(`  emit: ${before.ms.toFixed(0)} ms raw, ${after.ms.toFixed(0)} ms with the printer (first round includes warm-up)`);
  const old = await time("prettier on every statement, this thread", () => Promise.all(before.sources.map(formatTypeScript)));
  const ours = await time("printer output + prettier on the rest, this thread", () => Promise.all(after.sources.map(formatTypeScript)));
  if (old.some((text, i) => text !== ours[i])) throw new Error("the printed files differ from prettier's");
}
console.log("identical output");
