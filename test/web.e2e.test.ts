/**
 * The dev platform's web page in a real browser (Debian's chromium driven by
 * playwright-core): the extension list rendered by the page's own fetches, the
 * Swagger UI API reference, and a "Try it out" call that goes through the gateway
 * to the petstore extension and back.
 */
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, ".tmp");

let dev: DevPlatform;
let ext: Extension;
let running: Promise<void>;
let browser: Browser;
let page: Page;
const MISSING = `Chromium not found at ${CHROMIUM}: the browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`;
const pageErrors: string[] = [];
const failedRequests: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  ext = new Extension("Petstore", "petstore").withToken(dev.token);
  let ready!: () => void;
  let failed!: (e: unknown) => void;
  const registered = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  running = ext.runWithSetup(async (e) => {
    await register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }]));
    ready();
  });
  running.catch(failed);
  await registered;

  // Without chromium every test below fails (not skips) with MISSING.
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("response", (res) => {
    if (res.status() >= 400 && !res.url().endsWith("/favicon.ico")) failedRequests.push(`${res.status()} ${res.url()}`);
  });
  page.on("requestfailed", (req) => {
    // The console's event stream stays open until the page is left: leaving aborts it.
    if (req.url().endsWith("/_symphony/requests/stream") && req.failure()?.errorText === "net::ERR_ABORTED") return;
    failedRequests.push(`${req.failure()?.errorText} ${req.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  ext?.stop();
  await running?.catch(() => undefined);
  await dev?.stop();
});

describe("web page in chromium", () => {
  it(`finds chromium at ${CHROMIUM}`, () => {
    expect(existsSync(CHROMIUM), MISSING).toBe(true);
    expect(browser?.isConnected()).toBe(true);
  });

  it("lists the registered extension and its endpoints", async () => {
    if (!page) throw new Error(MISSING);
    await page.goto(`${dev.httpUrl}/`);
    // The tables are filled from the page's event stream (/_symphony/requests/stream).
    const row = page.locator("#extensions tbody tr", { has: page.locator("code", { hasText: /^petstore$/ }) });
    await row.waitFor();
    await expect.poll(() => row.locator("td").allInnerTexts()).toEqual(["petstore", "Petstore", expect.stringMatching(/^dev-\d+$/), "running", expect.any(String), "—"]);

    const services = page.locator("#services");
    await expect.poll(() => services.locator("h3").allInnerTexts()).toEqual([expect.stringMatching(/^Swagger_Petstore petstore · 1\.0\.0 · 1 instance\(s\)$/)]);
    const routes = await services.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    expect(routes).toEqual([
      ["GET", "/api/petstore/pets", "cirata.extensions.petstore.findPets"],
      ["POST", "/api/petstore/pets", "cirata.extensions.petstore.addPet"],
      ["GET", "/api/petstore/pets/{id}", "cirata.extensions.petstore.findPetById"],
      ["DELETE", "/api/petstore/pets/{id}", "cirata.extensions.petstore.deletePet"],
    ]);
    await page.screenshot({ path: path.join(SHOTS, "web-index.png"), fullPage: true });
  });

  it("opens the API reference and tries findPetById through the gateway", async () => {
    if (!page) throw new Error(MISSING);
    await page.getByRole("link", { name: "API reference" }).click();
    await page.waitForURL(`${dev.httpUrl}/_symphony/docs/petstore/Swagger_Petstore`);
    await expect.poll(() => page.locator(".opblock-summary-path").allInnerTexts()).toEqual(["/pets", "/pets", "/pets/{id}", "/pets/{id}"]);
    await expect.poll(() => page.locator(".opblock-summary-method").allInnerTexts()).toEqual(["GET", "POST", "GET", "DELETE"]);
    expect(await page.locator(".info .title").innerText()).toContain("Swagger Petstore");

    const op = page.locator("#operations-default-findPetById");
    await op.locator(".opblock-summary").click();
    // The page sets tryItOutEnabled: operations open ready to execute. Toggle it off and on again
    // so the "Try it out" button is exercised too.
    await op.getByRole("button", { name: "Cancel" }).click();
    await op.getByRole("button", { name: "Try it out" }).click();
    await op.getByRole("button", { name: "Cancel" }).waitFor();
    await op.locator('tr[data-param-name="id"] input').fill("1");
    await op.getByRole("button", { name: "Execute" }).click();

    const live = op.locator(".live-responses-table");
    await expect.poll(() => live.locator("tbody .response-col_status").first().innerText()).toBe("200");
    const body = await live.locator(".response-col_description pre").first().innerText();
    expect(JSON.parse(body)).toEqual({ id: 1, name: "Rex", tag: "dog" });
    expect(await op.locator(".request-url pre").innerText()).toBe(`${dev.httpUrl}/api/petstore/pets/1`);
    await op.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "web-try-it-out.png"), fullPage: true });

    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it("the platform's own pages call the gateway with any method; another origin's page is refused (403), even a no-cors POST", async () => {
    if (!page) throw new Error(MISSING);
    const add = async (p: Page, url: string, name: string, init: { mode?: "no-cors"; contentType: string }) =>
      p.evaluate(
        async ({ url, name, init }) => {
          try {
            const res = await fetch(url, { method: "POST", mode: init.mode, headers: { "content-type": init.contentType }, body: JSON.stringify({ name }) });
            return res.type === "opaque" ? "opaque" : res.status;
          } catch (err) {
            return String(err);
          }
        },
        { url, name, init },
      );
    // Same origin: the browser sends Origin on a POST, and it is the page's own.
    expect(await add(page, "/api/petstore/pets", "Own", { contentType: "application/json" })).toBe(201);

    // Another origin's page (another port is another origin).
    const other: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", () => r()));
    const elsewhere = await browser.newPage();
    const statuses: number[] = [];
    elsewhere.on("response", (res) => void (res.url().startsWith(dev.httpUrl) && statuses.push(res.status())));
    try {
      await elsewhere.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`);
      const target = `${dev.httpUrl}/api/petstore/pets`;
      // A JSON POST needs a preflight, which the gateway refuses; a text/plain no-cors POST is sent, and refused.
      expect(await add(elsewhere, target, "Cors", { contentType: "application/json" })).toMatch(/TypeError/);
      expect(await add(elsewhere, target, "NoCors", { mode: "no-cors", contentType: "text/plain" })).toBe("opaque");
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 403)).toBe(true);
    } finally {
      await elsewhere.close();
      await new Promise<void>((r) => other.close(() => r()));
    }
    const names = ((await (await fetch(`${dev.httpUrl}/api/petstore/pets`)).json()) as { name: string }[]).map((p) => p.name);
    expect(names).toContain("Own");
    expect(names).not.toContain("Cors");
    expect(names).not.toContain("NoCors");
  });
});
