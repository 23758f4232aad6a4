/** `init`'s answers to bad input, and what it writes (the whole flow: test/init.e2e.test.ts). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { initProject, prefixFromName } from "../generator/init.js";

const dir = mkdtempSync(path.join(tmpdir(), "symphony-init-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("init", () => {
  it("writes the project and its generated code; from a clone it links the clone's packages", async () => {
    const result = await initProject(path.join(dir, "Todo App"));
    expect(result.prefix).toBe("todoapp");
    expect(result.files).toEqual(expect.arrayContaining(["openapi.yaml", "package.json", "src/handlers.ts", "src/main.ts", "test/handlers.test.ts", "src/generated/handlers.ts"]));
    expect(readFileSync(path.join(result.dir, "src/generated/.symphony-codegen.json"), "utf8")).toContain("fingerprint");
    const pkg = JSON.parse(readFileSync(path.join(result.dir, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.name).toBe("todo-app");
    expect(pkg.dependencies["@symphony-codegen/runtime"]).toMatch(/^file:.*runtime$/);
    expect(pkg.devDependencies["symphony-codegen"]).toMatch(/^file:/);
    expect(readFileSync(path.join(result.dir, "src/main.ts"), "utf8")).toContain('"Todo App", "todoapp"');
  });

  it("refuses a folder that is not empty, and touches nothing in it", async () => {
    const busy = path.join(dir, "busy");
    mkdirSync(busy);
    writeFileSync(path.join(busy, "keep.txt"), "mine");
    await expect(initProject(busy)).rejects.toThrow(/exists and is not empty/);
    expect(readFileSync(path.join(busy, "keep.txt"), "utf8")).toBe("mine");
  });

  it("refuses a prefix that is not one NATS subject token", async () => {
    await expect(initProject(path.join(dir, "bad"), { prefix: "a.b" })).rejects.toThrow(/"a\.b" is not a valid extension prefix/);
  });

  it("derives a prefix from any folder name", () => {
    expect(prefixFromName("My-Ext 2")).toBe("myext2");
    expect(prefixFromName("2fast")).toBe("ext2fast");
  });
});
