"use strict";
/**
 * Keeps `node_modules/.cache/symphony-codegen` from growing without end: every TypeScript release
 * and every set of V8 flags gets a code-cache file of its own (./typescript.cjs, ~2.6 MB each), and
 * nothing else removes the ones no longer used.
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * Deletes all but the `keep` most recently used `<prefix>…<suffix>` files in `dir` (used: written,
 * or touched by `markUsed`). Other names, such as another process's temporary file, are left alone.
 * Never throws: a cache that cannot be pruned is only larger.
 */
function keepNewest(dir, prefix, suffix, keep) {
  try {
    const files = [];
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(prefix) || !name.endsWith(suffix)) continue;
      const file = path.join(dir, name);
      try {
        files.push({ file, used: fs.statSync(file).mtimeMs });
      } catch {
        // Removed meanwhile.
      }
    }
    files.sort((a, b) => b.used - a.used);
    for (const { file } of files.slice(keep)) fs.rmSync(file, { force: true });
  } catch {
    // Unreadable directory: nothing to prune.
  }
}

/** Records that `file` was used now (its mtime), so that `keepNewest` keeps it. Never throws. */
function markUsed(file) {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A read-only install: the file may be pruned by a writable run, and is then written again.
  }
}

module.exports = { keepNewest, markUsed };
