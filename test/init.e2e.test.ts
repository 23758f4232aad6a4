/**
 * A user's first hour, from the packed tarballs (what npm would install): `symphony-codegen init`,
 * then in the new folder `npm install`, `npm test`, `npm run dev` and a curl through the gateway
 * to the extension it started; then the production install holds only the runtime.
 *
 * Packs with --ignore-scripts: `npm test` has just built dist/ and runtime/dist, and a rebuild
 * here would rewrite files other test files are reading.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec } from "./helpers/exec.js";
import { ROOT } from "./helpers/specs.js";

const dir = mkdtempSync(path.join(tmpdir(), "symphony-init-"));
const packs = path.join(dir, "packs");
const tools = path.join(dir, "tools");
const project = path.join(dir, "my-ext");
const run = (cwd: string, cmd: string, args: string[]) => exec(cmd, args, { cwd, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
let dev: ChildProcess | undefined;
const timings: Record<string, number> = {};

/** Bytes under a folder (files only, links not followed). */
function size(folder: string): number {
  let total = 0;
  for (const e of readdirSync(folder, { withFileTypes: true })) {
    const p = path.join(folder, e.name);
    if (e.isDirectory()) total += size(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

beforeAll(async () => {
  mkdirSync(packs, { recursive: true });
  mkdirSync(tools, { recursive: true });
  await run(ROOT, "npm", ["pack", "--ignore-scripts", "--workspace", "runtime", "--pack-destination", packs]);
  await run(ROOT, "npm", ["pack", "--ignore-scripts", "--pack-destination", packs]);
  writeFileSync(path.join(dir, "package.json"), "{}\n"); // keeps npm from looking further up
  writeFileSync(path.join(tools, "package.json"), JSON.stringify({ private: true }));
}, 120_000);

afterAll(async () => {
  if (dev?.pid !== undefined && dev.exitCode === null) {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("init → npm install → npm test → npm run dev → curl, from the packed tarballs", () => {
  const tarball = (name: string) => path.join(packs, readdirSync(packs).find((f) => f.startsWith(name) && f.endsWith(".tgz"))!);

  it("the packed generator carries no install script and no telemetry dependency", async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts[hook], hook).toBeUndefined();
    expect(Object.keys(pkg.dependencies)).not.toContain("swagger-ui-dist");
    await run(tools, "npm", ["install", tarball("symphony-codegen-runtime-"), tarball("symphony-codegen-0")]);
    expect(await run(tools, "npm", ["ls", "--all", "--parseable"])).not.toMatch(/@scarf/);
  }, 240_000);

  it("init writes a project whose npm install and npm test pass with no edits", async () => {
    const out = await run(dir, path.join(tools, "node_modules/.bin/symphony-codegen"), [
      "init",
      "my-ext",
      "--prefix",
      "myext",
      "--runtime",
      `file:${tarball("symphony-codegen-runtime-")}`,
      "--codegen",
      `file:${tarball("symphony-codegen-0")}`,
    ]);
    expect(out).toContain("prefix myext");
    let started = performance.now();
    await run(project, "npm", ["install"]);
    timings.npmInstallMs = Math.round(performance.now() - started);
    started = performance.now();
    const test = await run(project, "npm", ["test"]);
    timings.npmTestMs = Math.round(performance.now() - started);
    expect(test).toMatch(/# pass 2\b/);
    expect(test).toMatch(/# fail 0\b/);
  }, 300_000);

  it("npm run dev serves the extension through the local gateway", async () => {
    const started = performance.now();
    dev = spawn("npm", ["run", "dev", "--", "--port", "0"], { cwd: project, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    dev.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    dev.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    let base: string | undefined;
    while (!base && Date.now() < deadline) {
      base = /REST gateway: (http:\/\/[^\s/]+)/.exec(output)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(base, output).toBeDefined();
    // The extension registers once tsx has started it: retry until the route exists.
    let created: Response | undefined;
    while (Date.now() < deadline) {
      created = await fetch(`${base}/api/myext/todos`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "Try it" }) });
      if (created.status === 201) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(created?.status, output).toBe(201);
    timings.devToFirst201Ms = Math.round(performance.now() - started);
    const list = await fetch(`${base}/api/myext/todos`);
    expect(await list.json()).toEqual([{ id: 1, title: "Try it", done: false }]);
    const bad = await fetch(`${base}/api/myext/todos/abc`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");

    const exited = new Promise<number | null>((resolve) => dev!.once("exit", (code) => resolve(code)));
    process.kill(-dev.pid!, "SIGINT");
    await exited;
  }, 120_000);

  it("the production install holds the runtime and its needs only (≤ 20 MB)", async () => {
    // What a deployment does: the project's lock file, installed without devDependencies, in a
    // folder at the same depth (the lock's file: paths are relative).
    const prod = path.join(dir, "prod");
    mkdirSync(prod);
    for (const f of ["package.json", "package-lock.json"]) copyFileSync(path.join(project, f), path.join(prod, f));
    await run(prod, "npm", ["ci", "--omit=dev"]);
    const installed = (await run(prod, "npm", ["ls", "--all", "--omit=dev", "--parseable"]))
      .split("\n")
      .filter((p) => p.includes("node_modules"))
      .map((p) => p.slice(p.lastIndexOf("node_modules/") + "node_modules/".length));
    for (const heavy of ["typescript", "prettier", "openapi-typescript", "@redocly/openapi-core", "swagger2openapi", "symphony-codegen", "tsx"]) expect(installed).not.toContain(heavy);
    expect(installed).toContain("@symphony-codegen/runtime");
    const mb = size(path.join(prod, "node_modules")) / 1e6;
    expect(mb).toBeLessThanOrEqual(20);
    // Figures for the record (not gates): what a user waits for, and what a deployment installs.
    console.log(JSON.stringify({ ...timings, productionNodeModulesMB: Number(mb.toFixed(1)) }));
  }, 120_000);
});
