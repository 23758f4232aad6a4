/**
 * The extension side of bench/memory.ts, in a fresh process: imports the compiled (JS) generated
 * output for a spec, registers every operation on the given nats-server with stub handlers, and
 * prints how long after process start it was registered and its RSS once idle (gc, 2 s, gc).
 *
 *   node --expose-gc bench/memory-server.js <nats-url> <compiled-dir>
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Extension } from "symphony-codegen/runtime";

const [url, dir] = process.argv.slice(2) as [string, string];
const generated = (await import(pathToFileURL(path.join(dir, "index.js")).href)) as {
  register: (ext: Extension, handlers: object, options?: object) => Promise<unknown>;
  operationTable: readonly { handler: string }[];
};
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
    process.stdout.write(`BENCH-RESULT ${JSON.stringify({ registeredMs, operations: generated.operationTable.length, rss: m.rss, heapUsed: m.heapUsed })}\n`);
    resolve();
  });
});
await done;
ext.stop();
