/**
 * types.ts on GitHub's description (or --quick: DigitalOcean), in this process, rounds
 * interleaved: the old path (openapiTS with its Redocly passes, astToString, prettier) against
 * the new one (openapi-typescript's transform on the loaded document, the direct printer).
 * Checks the two texts are identical before reporting anything.
 *
 *   npx tsx bench/types-printer.ts [--quick] [--runs N]
 */
import openapiTS, { astToString } from "openapi-typescript";
import * as prettier from "prettier";
import { formatTypes, typesAst, typesDocument, typesOptions } from "../generator/emit/types.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { PRETTIER_OPTIONS } from "../generator/format.js";
import { fmtMs, log, parseFlags, ratio, specFor, stats } from "./lib.js";

const flags = parseFlags();
const model = buildModel(await loadSpec(await specFor(flags.quick), {}));

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await f();
  return [value, performance.now() - started];
};

const samples = { openapiTS: [] as number[], astToString: [] as number[], prettier: [] as number[], transform: [] as number[], printer: [] as number[] };
for (let run = 0; run < flags.runs; run++) {
  const [oldAst, openapiMs] = await time(() => openapiTS(typesDocument(model), typesOptions(model)));
  const [raw, astToStringMs] = await time(() => astToString(oldAst));
  const [expected, prettierMs] = await time(() => prettier.format(raw, PRETTIER_OPTIONS));
  const [ast, transformMs] = await time(() => typesAst(model));
  const [printed, printerMs] = await time(() => formatTypes(ast));
  if (printed.fallback) throw new Error(`the printer fell back: ${printed.fallback}`);
  if (printed.text !== expected) throw new Error("the printer's text differs from prettier's");
  samples.openapiTS.push(openapiMs);
  samples.astToString.push(astToStringMs);
  samples.prettier.push(prettierMs);
  samples.transform.push(transformMs);
  samples.printer.push(printerMs);
  log(`run ${run + 1}: identical (${(printed.text.length / 1e6).toFixed(1)} MB)`);
}

const median = (xs: number[]) => stats(xs).median;
const oldTotal = samples.openapiTS.map((x, i) => x + samples.astToString[i]! + samples.prettier[i]!);
const newTotal = samples.transform.map((x, i) => x + samples.printer[i]!);
for (const [name, xs] of Object.entries({ ...samples, "old total": oldTotal, "new total": newTotal })) log(`${name.padEnd(12)} ${fmtMs(stats(xs))}`);
log(`printer vs astToString+prettier: ${ratio(median(samples.printer), median(samples.astToString) + median(samples.prettier)).toFixed(3)}×`);
log(`new vs old total: ${ratio(median(newTotal), median(oldTotal)).toFixed(3)}×`);
