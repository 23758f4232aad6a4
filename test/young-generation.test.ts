/**
 * The runtime holds V8's young generation at its size while an extension's generated tables load
 * (runtime/core/young-generation.ts): each case is a fresh node process that imports the runtime,
 * keeps ~40 MB of small objects alive (what loading large tables does), and reports how large the
 * young generation grew.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "young-generation-"));
const script = path.join(dir, "probe.mjs");
writeFileSync(
  script,
  `import v8 from "node:v8";
const runtime = ${JSON.stringify(path.join(ROOT, "runtime/dist/index.js"))};
const internal = ${JSON.stringify(path.join(ROOT, "runtime/dist/core/young-generation.js"))};
await import(runtime);
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
const keep = [];
const load = () => { for (let i = 0; i < 300000; i++) keep.push({ i, s: "x" + i, a: [i, i + 1] }); };
load();
const whileLoading = newSpace();
(await import(internal)).releaseYoungGeneration();
load();
console.log(JSON.stringify({ whileLoading, afterRelease: newSpace(), kept: keep.length }));
`,
);

function probe(nodeArgs: string[]): { whileLoading: number; afterRelease: number; kept: number } {
  const r = spawnSync(process.execPath, [...nodeArgs, script], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim());
}

describe("young generation while the generated tables load", () => {
  it("does not grow while loading, and grows again once released", () => {
    const held = probe([]);
    const free = probe(["--semi-space-growth-factor=2"]);
    expect(held.kept).toBe(600_000);
    // With the user's own flag the runtime leaves V8 alone: the same survivors double it to its maximum.
    expect(free.whileLoading).toBeGreaterThanOrEqual(2 * held.whileLoading);
    expect(held.afterRelease).toBeGreaterThan(held.whileLoading);
  });
});
