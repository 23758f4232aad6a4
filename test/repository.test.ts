/**
 * The repository is self-contained: nothing reads a folder beside the clone, every published
 * document under fixtures/corpus carries its licence, and a fresh clone (nothing beside it, stale
 * files in its build folder) regenerates the committed examples byte for byte.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./helpers/exec.js";
import { ROOT } from "./helpers/specs.js";

const git = (cwd: string, ...args: string[]) => exec("git", args, { cwd });
const npm = (cwd: string, ...args: string[]) => exec("npm", args, { cwd });

describe("self-contained repository", () => {
  it("no tracked file outside fixtures/corpus refers to a folder beside the clone", () => {
    const outside = ["..", "shared"].join("/"); // spelled apart so this file does not match itself
    // git grep exits 1 when nothing matches.
    const found = spawnSync("git", ["grep", "-l", "-F", outside, "--", ".", ":!fixtures/corpus"], { cwd: ROOT, encoding: "utf8" });
    expect(found.status === 0 || found.status === 1, found.stderr).toBe(true);
    const offenders = found.stdout.split("\n").filter(Boolean);
    expect(offenders).toEqual([]);
  });

  it("every corpus folder keeps its upstream licence and is listed with its source", () => {
    const corpus = path.join(ROOT, "fixtures/corpus");
    const readme = readFileSync(path.join(corpus, "README.md"), "utf8");
    const folders = readdirSync(corpus, { withFileTypes: true }).filter((e) => e.isDirectory());
    // The shared material's three folders, and the published descriptions from npm packages (published.json names each file's source).
    const published = JSON.parse(readFileSync(path.join(corpus, "published.json"), "utf8")) as {
      file: string;
      package: string;
      upstream: string;
      licence: string;
    }[];
    const fromPackages = new Set(published.map((p) => p.file.split("/")[0]!));
    expect(folders.map((f) => f.name).sort()).toEqual([...new Set(["digitalocean", "oai", "openapi-typescript-fixtures", ...fromPackages])].sort());
    for (const p of published) {
      expect(existsSync(path.join(corpus, p.file)), p.file).toBe(true);
      expect(p.package && p.licence, `${p.file}: package and licence`).toBeTruthy();
    }
    for (const f of folders) {
      expect(existsSync(path.join(corpus, f.name, "LICENSE")), `${f.name}/LICENSE`).toBe(true);
      expect(readme).toContain(`\`${f.name}/\``);
    }
  });
});

describe("a fresh clone", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "symphony-clone-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds and regenerates the committed examples with `git status` clean, whatever sits in dist/", async () => {
    const clone = path.join(dir, "repo");
    await git(dir, "clone", "--quiet", "--no-hardlinks", ROOT, clone);
    expect(existsSync(path.join(clone, "..", "shared"))).toBe(false);
    // The dependencies are the same as ours (npm ci is what .ci/run measures); the workspace link
    // node_modules/@symphony-codegen/runtime is relative, so it points into the clone.
    symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
    // Leftovers of an older build must not change the manifests' fingerprint.
    mkdirSync(path.join(clone, "dist/generator/emit"), { recursive: true });
    writeFileSync(path.join(clone, "dist/generator/emit/removed-emitter.js"), "export const stale = 1;\n");
    await npm(clone, "run", "-s", "build");
    await npm(clone, "run", "-s", "codegen", "--", "--quiet");
    expect(await git(clone, "status", "--porcelain")).toBe("");
    // --check agrees, including the manifests.
    await npm(clone, "run", "-s", "codegen", "--", "--check", "--quiet");
  }, 900_000);
});
