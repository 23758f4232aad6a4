/** `symphony-codegen dev`: the petstore example called over real HTTP through the gateway. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension, SUBJECTS } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

let dev: DevPlatform;
const running: { ext: Extension; done: Promise<void> }[] = [];

async function startPetstore(options: { token?: boolean; handlers?: ReturnType<typeof createPetStore> } = {}): Promise<Extension> {
  const ext = new Extension("Petstore", "petstore").withStatusInterval(200);
  if (options.token === false) ext.withNatsUrl(dev.natsUrl);
  else ext.withToken(dev.token);
  let ready!: () => void;
  let failed!: (e: unknown) => void;
  const registered = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  const done = ext.runWithSetup(async (e) => {
    await register(e, options.handlers ?? createPetStore([{ id: 1, name: "Rex", tag: "dog" }]));
    ready();
  });
  done.catch(failed);
  running.push({ ext, done });
  await registered;
  return ext;
}

const api = (path: string) => `${dev.httpUrl}/api/petstore${path}`;

beforeAll(async () => {
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  await startPetstore();
});

afterAll(async () => {
  for (const r of running) r.ext.stop();
  await Promise.allSettled(running.map((r) => r.done));
  await dev?.stop();
});

describe("dev gateway over HTTP", () => {
  it("serves every declared status with bodies, headers and content types", async () => {
    const created = await fetch(api("/pets"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Tom", tag: "cat" }) });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json");
    const pet = (await created.json()) as { id: number; name: string };
    expect(pet.name).toBe("Tom");

    const list = await fetch(api("/pets?limit=1&tags=cat&tags=dog"));
    expect(list.status).toBe(200);
    expect(list.headers.get("x-total-count")).toBe("2");
    expect(await list.json()).toHaveLength(1);

    const one = await fetch(api(`/pets/${pet.id}`));
    expect(await one.json()).toMatchObject({ id: pet.id, name: "Tom" });

    const missing = await fetch(api("/pets/9999"));
    expect(missing.status).toBe(404);

    const deleted = await fetch(api(`/pets/${pet.id}`), { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
  });

  it("answers 400 problem+json naming the field", async () => {
    const res = await fetch(api("/pets/abc"));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { errors: { in: string; name: string }[] };
    expect(body.errors[0]).toMatchObject({ in: "path", name: "id" });

    const bad = await fetch(api("/pets"), { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { in: string }[] }).errors[0]!.in).toBe("body");
  });

  it("answers 404 for unknown routes and 405 for known paths with another method", async () => {
    expect((await fetch(api("/nowhere"))).status).toBe(404);
    expect((await fetch(`${dev.httpUrl}/api/unknown-ext/pets`)).status).toBe(404);
    expect((await fetch(api("/pets"), { method: "PUT" })).status).toBe(405);
  });

  it("registers the extension through the token exchange and keeps it alive with status messages", async () => {
    const listed = await dev.nc.request(SUBJECTS.list, "{}", { timeout: 2000 });
    const { extensions } = JSON.parse(new TextDecoder().decode(listed.data)) as { extensions: { entry: { prefix: string; id: string }; status: string }[] };
    const mine = extensions.filter((e) => e.entry.prefix === "petstore");
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0]!.entry.id).toMatch(/^dev-\d+$/);
    await new Promise((r) => setTimeout(r, 800)); // > 3 status intervals: still there because statuses arrive
    expect(dev.platform.extensions().some((e) => e.entry.prefix === "petstore")).toBe(true);
  });

  it("follows services coming and going without a restart", async () => {
    const other = new Extension("Other", "other").withNatsUrl(dev.natsUrl);
    let ready!: () => void;
    const up = new Promise<void>((r) => (ready = r));
    const done = other.runWithSetup(async (e) => {
      await register(e, createPetStore([{ id: 7, name: "Other", tag: "x" }]));
      ready();
    });
    await up;
    const res = await fetch(`${dev.httpUrl}/api/other/pets/7`);
    expect(res.status).toBe(200);
    other.stop();
    await done;
    await new Promise((r) => setTimeout(r, 600));
    const gone = await fetch(`${dev.httpUrl}/api/other/pets/7`);
    expect([404, 503]).toContain(gone.status);
    expect(dev.gateway.services().some((s) => s.prefix === "other")).toBe(false);
  });

  it("answers 413 past the NATS payload limit and 504 when the handler is too slow", async () => {
    const huge = JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) });
    const tooLarge = await fetch(api("/pets"), { method: "POST", headers: { "content-type": "application/json" }, body: huge });
    expect(tooLarge.status).toBe(413);

    const slowDev = await startDev({ port: 0, natsUrl: dev.natsUrl, requestTimeoutMs: 200 });
    try {
      const store = createPetStore();
      const slow = new Extension("Slow", "slow").withNatsUrl(dev.natsUrl);
      let ready!: () => void;
      const up = new Promise<void>((r) => (ready = r));
      const done = slow.runWithSetup(async (e) => {
        await register(e, { ...store, findPets: async () => new Promise((r) => setTimeout(() => r({ status: 200, body: [] }), 1000)) });
        ready();
      });
      await up;
      const res = await fetch(`${slowDev.httpUrl}/api/slow/pets`);
      expect(res.status).toBe(504);
      slow.stop();
      await done;
    } finally {
      await slowDev.stop();
    }
  });

  it("serves the web page, the spec with a gateway server, and the API reference assets", async () => {
    const page = await fetch(`${dev.httpUrl}/`);
    expect(await page.text()).toContain("<h2>Instances</h2>");
    const listing = (await (await fetch(`${dev.httpUrl}/_symphony/extensions`)).json()) as { services: { name: string; prefix: string }[] };
    expect(listing.services).toContainEqual(expect.objectContaining({ name: "Swagger_Petstore", prefix: "petstore" }));
    const spec = (await (await fetch(`${dev.httpUrl}/_symphony/openapi/petstore/Swagger_Petstore.json`)).json()) as { servers: { url: string }[] };
    expect(spec.servers).toEqual([{ url: "/api/petstore" }]);
    const asset = await fetch(`${dev.httpUrl}/_symphony/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });

  it("refuses an unknown token at the exchange", async () => {
    const res = await fetch(`${dev.httpUrl}/api/v1/extensions/token-exchange`, { method: "POST", headers: { authorization: "Bearer sym_bm9wZQ" } });
    expect(res.status).toBe(401);
  });
});
