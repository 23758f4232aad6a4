/**
 * The weather example's React page (examples/weather/src/ui/WeatherPage.tsx, as `npm run build`
 * made it into its `text/symphony-jsx` resource) rendered with React in Debian's chromium, the
 * way the host renders it: taken from the extension's registration, bundled with React, served
 * with `/api` passed to the dev gateway, which reaches the extension over NATS, which reaches a
 * stand-in for Open-Meteo.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDev, type DevPlatform } from "../dev/server.js";
import * as weather from "../examples/weather/src/extension.js";
import { FakeOpenMeteo } from "../examples/weather/src/fake-open-meteo.js";
import { Extensions } from "./helpers/extension.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, ".tmp");
const ROOT = path.resolve(import.meta.dirname, "..");

let dev: DevPlatform;
let pageServer: Server;
let pageUrl: string;
let browser: Browser;
let page: Page;
const fake = new FakeOpenMeteo();
const extensions = new Extensions();
const pageErrors: string[] = [];

/** The registered resource's JSX, bundled with React and rendered into #root. */
async function bundle(jsx: string): Promise<string> {
  const entry = [
    'import { createElement } from "react";',
    'import { createRoot } from "react-dom/client";',
    'import WeatherPage from "weather-page";',
    'createRoot(document.getElementById("root")).render(createElement(WeatherPage, { apiBase: "/api/weather", initialCity: "Paris", days: 3 }));',
  ].join("\n");
  const out = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [
      {
        name: "registered-resource",
        setup(b) {
          b.onResolve({ filter: /^weather-page$/ }, () => ({ path: "weather-page", namespace: "resource" }));
          b.onLoad({ filter: /.*/, namespace: "resource" }, () => ({ contents: jsx, loader: "jsx", resolveDir: ROOT }));
        },
      },
    ],
  });
  return out.outputFiles[0]!.text;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  const url = await fake.listen();
  const ext = weather.createExtension().withToken(dev.token);
  await extensions.start(ext, weather.setupWith({ geocodingUrl: url, forecastUrl: url, timeoutMs: 2000, cacheTtlMs: 60_000 }));
  // The page the platform holds, not the file: what was registered is what a user gets.
  const deadline = Date.now() + 15_000;
  let jsx: string | undefined;
  while (!jsx && Date.now() < deadline) {
    jsx = dev.platform
      .extensions()
      .find((e) => e.entry.prefix === weather.PREFIX)
      ?.entry.resources.find((r) => r.uri === weather.PAGE_URI)?.content;
    if (!jsx) await new Promise((r) => setTimeout(r, 50));
  }
  if (!jsx) throw new Error("the weather extension did not register its page");
  const script = await bundle(jsx);
  pageServer = createServer(async (req, res) => {
    if (req.url?.startsWith("/api/")) {
      const upstream = await fetch(`${dev.httpUrl}${req.url}`, { method: req.method });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      return res.end(Buffer.from(await upstream.arrayBuffer()));
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>Weather</title></head><body><div id="root"></div><script>${script.replace(/<\/script/gi, "<\\/script")}</script></body></html>`,
    );
  });
  await new Promise<void>((r) => pageServer.listen(0, "127.0.0.1", r));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  if (!existsSync(CHROMIUM)) return; // the first test fails, naming what is missing
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => pageServer?.close(r));
  await extensions.stopAll();
  await fake.close();
  await dev?.stop();
});

describe("the weather page (React, in chromium) through the gateway", () => {
  it("renders the first city's report from the extension", async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`).toBe(true);
    await page.goto(pageUrl);
    const report = page.getByRole("region", { name: "Weather report" });
    await expect.poll(() => report.locator("h2").textContent()).toBe("Paris, France");
    expect(await report.locator(".now").textContent()).toBe("21.5 °C Partly cloudy, wind 14 km/h");
    expect(await report.locator("tbody tr").count()).toBe(3);
    expect(await report.locator("tbody tr").first().textContent()).toBe("2026-12-0715.5 °C23.5 °CPartly cloudy");
    await page.screenshot({ path: path.join(SHOTS, "weather-page.png") });
  });

  it("shows another city on submit, and the problem's detail for one that does not exist", async () => {
    const input = page.getByRole("textbox", { name: "City" });
    await input.fill("Reykjavík");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.locator("h2").textContent()).toBe("Reykjavík, Iceland");
    expect(await page.locator(".now").textContent()).toContain("-3.5 °C Moderate snow fall");
    await input.fill("Atlantis");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe('No place matches "Atlantis"');
    fake.down = true;
    await input.fill("São Paulo");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("The weather API failed");
    fake.down = false;
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.locator("h2").textContent()).toBe("São Paulo, Brazil");
    expect(pageErrors).toEqual([]);
  });
});
