/**
 * handlers.ts + client.ts on GitHub's description (or --quick: DigitalOcean), in this process,
 * rounds interleaved: the old path (statements' source, all formatted by prettier) against the
 * new one (statements printed in prettier's layout by the emitters, the rest left to prettier).
 * Checks the texts
 * are identical before reporting anything.
 *
 *   npx tsx bench/handlers-printer.ts [--quick] [--runs N]
 */
import { emitClient } from "../generator/emit/client.js";
import { emitHandlers } from "../generator/emit/handlers.js";
import { formatTypeScript, formattedStatement, STATEMENT_BREAK } from "../generator/format.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { fmtMs, log, parseFlags, ratio, specFor, stats } from "./lib.js";

const flags = parseFlags();
const model = buildModel(await loadSpec(await specFor(flags.quick), {}));
const RUNTIME = "@symphony-codegen/runtime";

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await f();
  return [value, performance.now() - started];
};

const emit = (print: boolean) => [emitHandlers(model, RUNTIME, print), emitClient(model, RUNTIME, print)];
const here = (sources: string[]) => Promise.all(sources.map(formatTypeScript));
const printed = emit(true);
const statements = printed.flatMap((s) => s.split(STATEMENT_BREAK)).filter((s) => /\S/.test(s));
const left = statements.filter((s) => !s.startsWith(formattedStatement("")));
log(`${statements.length} statements, ${left.length} left to prettier (${((100 * left.length) / statements.length).toFixed(2)}%, ${left.reduce((n, s) => n + s.length, 0)} bytes)`);

const names = ["old emit", "old format here", "new emit", "new format here"] as const;
const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<(typeof names)[number], number[]>;
for (let run = 0; run < flags.runs; run++) {
  const [rawSources, oldEmit] = await time(() => emit(false));
  const [expected, oldHere] = await time(() => here(rawSources));
  const [sources, newEmit] = await time(() => emit(true));
  const [text, newHere] = await time(() => here(sources));
  if (text.join("\0") !== expected.join("\0")) throw new Error("the printed text differs from prettier's");
  for (const [name, ms] of Object.entries({ "old emit": oldEmit, "old format here": oldHere, "new emit": newEmit, "new format here": newHere })) {
    samples[name as (typeof names)[number]].push(ms);
  }
  log(`run ${run + 1}: identical (${(expected.join("").length / 1e6).toFixed(2)} MB)`);
}

const median = (xs: number[]) => stats(xs).median;
for (const name of names) log(`${name.padEnd(16)} ${fmtMs(stats(samples[name]))}`);
const total = (emitName: (typeof names)[number], formatName: (typeof names)[number]) => median(samples[emitName]) + median(samples[formatName]);
log(`emit+format, this thread: new vs old ${ratio(total("new emit", "new format here"), total("old emit", "old format here")).toFixed(3)}×`);
