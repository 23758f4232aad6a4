/**
 * handlers.ts + client.ts on GitHub's description (or --quick: DigitalOcean), in this process,
 * rounds interleaved: the old path (statements' source, all formatted by prettier) against the
 * new one (statements printed in prettier's layout by the emitters, the rest left to prettier).
 * Each formatted both in this thread and on the worker pool generation uses. Checks the texts
 * are identical before reporting anything.
 *
 *   npx tsx bench/handlers-printer.ts [--quick] [--runs N]
 */
import { emitClient } from "../generator/emit/client.js";
import { emitHandlers } from "../generator/emit/handlers.js";
import { createFormatter, formatTypeScript, formattedStatement, STATEMENT_BREAK } from "../generator/format.js";
import { buildModel, loadSpec } from "../generator/index.js";
import { fmtMs, log, parseFlags, ratio, specFor, stats } from "./lib.js";

const flags = parseFlags();
const model = buildModel(await loadSpec(await specFor(flags.quick), {}));
const RUNTIME = "symphony-codegen/runtime";

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await f();
  return [value, performance.now() - started];
};

const emit = (print: boolean) => [emitHandlers(model, RUNTIME, print), emitClient(model, RUNTIME, print)];
const here = (sources: string[]) => Promise.all(sources.map(formatTypeScript));
async function pooled(sources: string[]): Promise<string[]> {
  const formatter = createFormatter(sources.reduce((n, s) => n + s.length, 0));
  try {
    return await Promise.all(sources.map((s) => formatter.format(s)));
  } finally {
    await formatter.close();
  }
}

const printed = emit(true);
const statements = printed.flatMap((s) => s.split(STATEMENT_BREAK)).filter((s) => /\S/.test(s));
const left = statements.filter((s) => !s.startsWith(formattedStatement("")));
log(`${statements.length} statements, ${left.length} left to prettier (${((100 * left.length) / statements.length).toFixed(2)}%, ${left.reduce((n, s) => n + s.length, 0)} bytes)`);

const names = ["old emit", "old format here", "old format pool", "new emit", "new format here", "new format pool"] as const;
const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<(typeof names)[number], number[]>;
for (let run = 0; run < flags.runs; run++) {
  const [rawSources, oldEmit] = await time(() => emit(false));
  const [expected, oldHere] = await time(() => here(rawSources));
  const [expectedPool, oldPool] = await time(() => pooled(rawSources));
  const [sources, newEmit] = await time(() => emit(true));
  const [text, newHere] = await time(() => here(sources));
  const [textPool, newPool] = await time(() => pooled(sources));
  if ([expectedPool, text, textPool].some((t) => t.join("\0") !== expected.join("\0"))) throw new Error("the printed text differs from prettier's");
  for (const [name, ms] of Object.entries({ "old emit": oldEmit, "old format here": oldHere, "old format pool": oldPool, "new emit": newEmit, "new format here": newHere, "new format pool": newPool })) {
    samples[name as (typeof names)[number]].push(ms);
  }
  log(`run ${run + 1}: identical (${(expected.join("").length / 1e6).toFixed(2)} MB)`);
}

const median = (xs: number[]) => stats(xs).median;
for (const name of names) log(`${name.padEnd(16)} ${fmtMs(stats(samples[name]))}`);
const total = (emitName: (typeof names)[number], formatName: (typeof names)[number]) => median(samples[emitName]) + median(samples[formatName]);
log(`emit+format, this thread: new vs old ${ratio(total("new emit", "new format here"), total("old emit", "old format here")).toFixed(3)}×`);
log(`emit+format, worker pool: new vs old ${ratio(total("new emit", "new format pool"), total("old emit", "old format pool")).toFixed(3)}×`);
