/** The gateway's route ranking (dev/routes.ts): the most specific template matching a path wins, whatever the declaration order. */
import { describe, expect, it } from "vitest";
import { compareTemplates, compileTemplate } from "../dev/routes.js";

const ranked = (...templates: string[]) => templates.map((template) => ({ template, ...compileTemplate(template) })).sort(compareTemplates);
/** The template the first matching route has, as the gateway picks it. */
const route = (path: string, ...templates: string[]) => ranked(...templates).find((r) => r.regex.test(path))?.template;

describe("route ranking", () => {
  it("a template with a literal suffix ranks above a bare one in the same position, either declaration order", () => {
    const bare = "/models/{modelId}/variants/{variantId}";
    const download = "/models/{modelId}/variants/{variantId}:download";
    for (const order of [
      [bare, download],
      [download, bare],
    ]) {
      expect(route("/models/m/variants/v1:download", ...order)).toBe(download);
      expect(route("/models/m/variants/v1", ...order)).toBe(bare);
    }
  });

  it("segment by segment from the left: literal > templated with literal text (more text first) > bare", () => {
    expect(ranked("/a/{x}", "/a/{x}.json", "/a/b", "/a/v{x}.json").map((r) => r.template)).toEqual(["/a/b", "/a/v{x}.json", "/a/{x}.json", "/a/{x}"]);
    // The left segment decides before a later one: `/a/{x}/c` is more specific than `/{y}/b/c`.
    expect(route("/a/b/c", "/{y}/b/c", "/a/{x}/c")).toBe("/a/{x}/c");
    expect(route("/a/b/c", "/a/{x}/c", "/{y}/b/c")).toBe("/a/{x}/c");
  });

  it("concrete paths before templated ones; ties broken by the template, not the order", () => {
    expect(route("/users/me", "/users/{id}", "/users/me")).toBe("/users/me");
    expect(route("/users/me", "/users/me", "/users/{id}")).toBe("/users/me");
    expect(ranked("/p/{b}", "/p/{a}").map((r) => r.template)).toEqual(ranked("/p/{a}", "/p/{b}").map((r) => r.template));
  });

  it("compiles parameters in order, literal text escaped", () => {
    const c = compileTemplate("/files/{name}.{ext}");
    expect(c.names).toEqual(["name", "ext"]);
    expect(c.regex.exec("/files/a.b")?.slice(1)).toEqual(["a", "b"]);
    expect(compileTemplate("/v1.0/x").regex.test("/v1x0/x")).toBe(false);
  });
});
