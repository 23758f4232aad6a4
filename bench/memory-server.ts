/**
 * The extension side of bench/memory.ts, in a fresh process: imports the compiled (JS) generated
 * output for a spec, registers every operation on the given nats-server with stub handlers, and
 * prints how long after process start it was registered, its RSS once idle (gc, 2 s, gc) and once V8's
 * memory reducer has shrunk the heap it grew to while loading (settled); then
 * builds every schema the tables hold (what serving every operation once would build) and prints
 * the RSS after that too.
 *
 * Without a compiled directory it registers nothing: the bare extension, the baseline the CI ratio
 * (RSS idle / bare RSS idle) is taken against.
 *
 *   node --expose-gc bench/memory-server.js <nats-url> [<compiled-dir>]
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildSchema, Extension, type OperationSpec } from "@symphony-codegen/runtime";

const [url, dir] = process.argv.slice(2) as [string, string | undefined];
const generated = dir
  ? ((await import(pathToFileURL(path.join(dir, "index.js")).href)) as {
      register: (ext: Extension, handlers: object, options?: object) => Promise<unknown>;
      operationTable: readonly OperationSpec[];
    })
  : { register: async () => {}, operationTable: [] as OperationSpec[] };
const handlers = Object.fromEntries(
  generated.operationTable.map((op) => [
    op.handler,
    () => {
      throw new Error("not called");
    },
  ]),
);
const ext = new Extension("GitHub", "github").withNatsUrl(url);
const done = new Promise<void>((resolve) => {
  void ext.runWithSetup(async (e) => {
    await generated.register(e, handlers);
    const registeredMs = performance.now();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    await new Promise((r) => setTimeout(r, 2000));
    gc?.();
    const m = process.memoryUsage();
    // V8 keeps the heap it grew to while loading (new space above all) until its memory reducer runs,
    // 10–30 s into an idle period: RSS once it has (heap total down by a fifth), or after 45 s.
    const settleStarted = performance.now();
    let settled = m;
    while (performance.now() - settleStarted < 45_000 && settled.heapTotal > m.heapTotal * 0.8) {
      await new Promise((r) => setTimeout(r, 1000));
      settled = process.memoryUsage();
    }
    const settledAfterMs = performance.now() - settleStarted + 2000;
    const reduced = settled.heapTotal <= m.heapTotal * 0.8;
    // Component constants are `z.lazy`: reading each one's inner type builds it (what is inline
    // in a constant is built with it; what it references is another constant).
    for (const value of Object.values(generated)) {
      const internals = (value as { _zod?: { def: { type: string }; innerType?: unknown } } | null)?._zod;
      if (internals?.def.type === "lazy") void internals.innerType;
    }
    for (const op of generated.operationTable) {
      for (const p of op.params) buildSchema(p.schema);
      for (const thunk of Object.values(op.body?.content ?? {})) if (thunk) buildSchema(thunk);
      for (const media of Object.values(op.responseBodies ?? {})) for (const thunk of Object.values(media)) buildSchema(thunk);
    }
    gc?.();
    const allBuilt = process.memoryUsage();
    process.stdout.write(
      `BENCH-RESULT ${JSON.stringify({ registeredMs, operations: generated.operationTable.length, rss: m.rss, heapUsed: m.heapUsed, rssSettled: settled.rss, settledAfterMs, reduced, rssAllBuilt: allBuilt.rss, heapAllBuilt: allBuilt.heapUsed })}\n`,
    );
    resolve();
  });
});
await done;
ext.stop();
