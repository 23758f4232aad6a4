import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keepNewest, markUsed } from "../generator/cache-files.cjs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding `names`, the first used longest ago (one minute apart). */
function cacheWith(names: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "cache-files-"));
  dirs.push(dir);
  const start = Date.now() / 1000 - 3600;
  names.forEach((name, i) => {
    writeFileSync(path.join(dir, name), name);
    utimesSync(path.join(dir, name), start + 60 * i, start + 60 * i);
  });
  return dir;
}

describe("the code cache's pruning", () => {
  it("keeps the most recently used files of one prefix and leaves every other name alone", () => {
    const caches = ["a", "b", "c", "d", "e", "f"].map((k) => `v8-typescript-${k}.bin`);
    const others = ["v8-other-a.bin", "v8-typescript-f.bin.1234", "config-x.mjs"];
    const dir = cacheWith([...caches, ...others]);
    keepNewest(dir, "v8-typescript-", ".bin", 4);
    expect(readdirSync(dir).sort()).toEqual([...others, ...caches.slice(2)].sort());
  });

  it("counts a file marked used as the newest", () => {
    const caches = ["a", "b", "c"].map((k) => `v8-typescript-${k}.bin`);
    const dir = cacheWith(caches);
    markUsed(path.join(dir, caches[0]!));
    keepNewest(dir, "v8-typescript-", ".bin", 2);
    expect(readdirSync(dir).sort()).toEqual([caches[0], caches[2]]);
  });

  it("never throws, for a directory or a file that is not there", () => {
    expect(() => keepNewest(path.join(tmpdir(), "no-such-cache-dir-for-symphony"), "v8-", ".bin", 1)).not.toThrow();
    expect(() => markUsed(path.join(tmpdir(), "no-such-cache-dir-for-symphony", "x.bin"))).not.toThrow();
  });
});
