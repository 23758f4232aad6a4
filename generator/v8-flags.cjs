"use strict";
/**
 * V8 flags this process set at run time (`v8.setFlagsFromString`). They are part of what V8 checks
 * cached code against, so the code cache (./typescript.cjs) keys its files by them too: a run with
 * and one without would otherwise each reject, and rewrite, the other's cache.
 */
const v8 = require("node:v8");

const set = [];

/** Sets a V8 flag and records it. */
function setFlag(flag) {
  v8.setFlagsFromString(flag);
  set.push(flag);
}

/** The flags set so far, space-separated. */
function flagsSet() {
  return set.join(" ");
}

/** Whether the user set a V8 flag matching this pattern (NODE_OPTIONS or node's own arguments): theirs wins. */
function userSetFlag(pattern) {
  return pattern.test(`${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`);
}

/**
 * A full collection now, where this thread was started with V8's `gc` exposed (`generate` exposes it
 * to its generation thread); nothing otherwise. Generation calls it between emitters: each leaves
 * the garbage of its syntax trees behind, which V8 would otherwise let the heap grow over first.
 */
function collectGarbage() {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

module.exports = { setFlag, flagsSet, userSetFlag, collectGarbage };
