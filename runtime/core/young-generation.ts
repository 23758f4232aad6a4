/**
 * Loading an extension's generated tables (operations.js, schemas.js, the spec) allocates megabytes
 * that all survive, which V8 reads as a reason to double its young generation, up to two 16 MiB
 * semi-spaces; it stays resident until V8's memory reducer runs, 10–30 s into an idle period. An
 * extension serving GitHub's description idled at 81–86 MiB RSS, ~9 MiB of it young generation it
 * no longer used. The runtime holds the young generation at its size while the extension loads
 * (growth factor 1, set when this module is first imported, before the generated modules run) and
 * gives V8 back its default once `serveApi` has registered, or after 10 s: traffic grows it as
 * usual. A user's own semi-space flag (node's arguments, NODE_OPTIONS) is left alone.
 */
import v8 from "node:v8";

/** V8's default (`node --v8-options`): each growth doubles the semi-spaces. */
const DEFAULT_GROWTH_FACTOR = 2;
const RELEASE_AFTER_MS = 10_000;

const userSet = /semi-space/.test(`${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`);
let held = !userSet;
if (held) {
  v8.setFlagsFromString("--semi-space-growth-factor=1");
  setTimeout(releaseYoungGeneration, RELEASE_AFTER_MS).unref();
}

/** Lets V8 grow the young generation again (once; later calls do nothing). */
export function releaseYoungGeneration(): void {
  if (!held) return;
  held = false;
  v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
}
