"use strict";
/**
 * TypeScript, loaded with require(). Imported as an ES module, Node first scans its 9 MB source for
 * export names (cjs-module-lexer: ~400 ms of every cold start); this module exports nothing by
 * name, so the scan covers these lines instead. Types: ./typescript.d.cts.
 *
 * Its compiled code comes from V8's code cache when one is on disk: the 9 MB compile is ~230 ms of
 * every cold `generate` on Node 20, ~60 ms from the cache (Node 22 caches every module itself,
 * `module.enableCompileCache`, used when present). The cache sits in
 * `node_modules/.cache/symphony-codegen/` beside the package, keyed by its path, size and mtime and
 * by Node's version, architecture and the V8 flags: those set at run time (./v8-flags.cjs) and
 * node's own arguments and NODE_OPTIONS (`node --interrupt-budget=…` runs alternating with plain
 * ones each rejected and rewrote the other's cache: ~170 ms and ~17 MiB of peak a run). V8 itself
 * rejects data that does not match the source or its flags, and then the cache is written anew. The
 * four most recently used files are kept (./cache-files.cjs). Nothing depends on it: without a
 * writable cache, TypeScript loads as require() loads it.
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const crypto = require("node:crypto");
const Module = require("node:module");
const { flagsSet } = require("./v8-flags.cjs");
const { keepNewest, markUsed } = require("./cache-files.cjs");

/** Code-cache files kept per package: the ones for the few flag sets and releases in use (~2.6 MB each). */
const KEEP_CACHE_FILES = 4;

/** `node_modules/.cache/symphony-codegen` of the node_modules holding `file`. */
function cacheDir(file) {
  const at = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  return at < 0 ? undefined : path.join(file.slice(0, at), "node_modules", ".cache", "symphony-codegen");
}

/** Puts package `id` into require's cache, compiled with (and then into) V8's code cache. */
function preload(id) {
  if (typeof Module.enableCompileCache === "function") {
    Module.enableCompileCache();
    return;
  }
  const file = require.resolve(id);
  const dir = cacheDir(file);
  if (require.cache[file] || !dir) return;
  const source = fs.readFileSync(file, "utf8");
  const stat = fs.statSync(file);
  const key = crypto
    .createHash("sha256")
    .update(`${file}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}\0${flagsSet()}\0${process.execArgv.join(" ")}\0${process.env.NODE_OPTIONS ?? ""}`)
    .digest("hex")
    .slice(0, 16);
  const stem = `v8-${id.replace(/\W/g, "_")}-`;
  const cacheFile = path.join(dir, `${stem}${key}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod;
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  mod.loaded = true;
  if (cachedData !== undefined && !script.cachedDataRejected) {
    markUsed(cacheFile);
    return;
  }
  // Written at exit, so that the functions this run compiled lazily are in it too.
  process.once("exit", () => {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const temporary = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
      keepNewest(dir, stem, ".bin", KEEP_CACHE_FILES);
    } catch {
      // A read-only install: every run compiles, as it would without the cache.
    }
  });
}

preload("typescript");
// Through a name: `module.exports = require(…)` would have Node scan the package for its exports after all.
const loaded = require("typescript");
// A copy without `__esModule`: loaders that honour it (tsx, bundlers) would look for a default export on it.
module.exports = loaded.__esModule ? { ...loaded } : loaded;
