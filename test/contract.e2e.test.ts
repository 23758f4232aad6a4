/**
 * Contract test: Stoplight Prism (an independent OpenAPI validator) as a proxy in
 * front of the dev gateway. Every request and every response of the example
 * extensions must match their spec as Prism reads it: valid requests come back with
 * the extension's own status and without an `sl-violations` header, and with
 * `--errors` a response that breaks the spec would become Prism's 500 VIOLATIONS
 * problem (the negative control below proves that oracle is live).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { freePort } from "./helpers/nats-server.js";
import * as petstore from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";
import * as features from "../examples/features/src/generated/index.js";
import { createFeatures } from "../examples/features/src/handlers.js";

const root = path.resolve(import.meta.dirname, "..");
const PRISM = path.join(path.dirname(createRequire(import.meta.url).resolve("@stoplight/prism-cli/package.json")), "dist", "index.js");

interface Prism {
  url: string;
  child: ChildProcess;
  output: () => string;
}

let dev: DevPlatform;
const running: { ext: Extension; done: Promise<void> }[] = [];
const prisms: Prism[] = [];
let petProxy: Prism;
let featureProxy: Prism;

async function startExtension(name: string, prefix: string, setup: (e: Extension) => Promise<unknown>): Promise<void> {
  const ext = new Extension(name, prefix).withToken(dev.token);
  let ready!: () => void;
  let failed!: (e: unknown) => void;
  const registered = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  const done = ext.runWithSetup(async (e) => {
    await setup(e);
    ready();
  });
  done.catch(failed);
  running.push({ ext, done });
  await registered;
}

/** `prism proxy <spec> <upstream> --errors`, resolved once it prints that it listens. */
async function startPrism(spec: string, upstream: string): Promise<Prism> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, "proxy", path.join(root, spec), upstream, "--errors", "--port", String(port), "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  let output = "";
  const prism: Prism = { url: `http://127.0.0.1:${port}`, child, output: () => output };
  prisms.push(prism);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Prism is listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code} before listening:\n${output}`));
    });
  });
  return prism;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => any;
}

async function send(base: string, method: string, p: string, init: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const headers = { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers };
  const res = await fetch(base + p, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

/** Through Prism; fails with Prism's own words when it flagged the request or the response. */
async function viaPrism(prism: Prism, method: string, p: string, init?: { headers?: Record<string, string>; body?: unknown }): Promise<Answer> {
  let res: Answer;
  try {
    res = await send(prism.url, method, p, init);
  } catch (err) {
    throw new Error(`${method} ${p} through Prism failed (${String((err as Error).cause ?? err)}); Prism output:\n${prism.output().slice(-2000)}`);
  }
  const violations = res.headers.get("sl-violations");
  expect(violations, `${method} ${p}: Prism reported violations: ${violations}`).toBeNull();
  expect(res.headers.get("content-type") ?? "", `${method} ${p}: Prism answered with its own problem: ${res.text}`).not.toMatch(/problem\+json/);
  return res;
}

const gateway = (prefix: string) => `${dev.httpUrl}/api/${prefix}`;

beforeAll(async () => {
  delete process.env.NATS_URL;
  dev = await startDev({ port: 0, discoverIntervalMs: 200 });
  const store = createPetStore([{ id: 1, name: "Rex", tag: "dog" }]);
  await startExtension("Petstore", "petstore", (e) => petstore.register(e, store));
  // The same petstore, except that pet 666 is answered against the spec: the negative control.
  await startExtension("Liar", "liar", (e) =>
    petstore.register(e, {
      ...createPetStore([{ id: 1, name: "Rex", tag: "dog" }]),
      findPetById: ({ path: p }) => petstore.FindPetById.ok({ id: p.id, name: 666 } as never),
    }),
  );
  await startExtension("Features", "features", (e) => features.register(e, createFeatures()));
  [petProxy, featureProxy] = await Promise.all([
    startPrism("examples/petstore/openapi.yaml", gateway("petstore")),
    startPrism("examples/features/openapi.yaml", gateway("features")),
  ]);
});

afterAll(async () => {
  await Promise.all(
    prisms.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  for (const r of running) r.ext.stop();
  await Promise.allSettled(running.map((r) => r.done));
  await dev?.stop();
});

describe("petstore through Prism (proxy, --errors)", () => {
  it("findPets: 200 with the X-Total-Count header, same answer as the gateway", async () => {
    const res = await viaPrism(petProxy, "GET", "/pets?limit=5&tags=dog&tags=cat");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toBe("1");
    expect(res.json()).toEqual([{ id: 1, name: "Rex", tag: "dog" }]);
    const direct = await send(gateway("petstore"), "GET", "/pets?limit=5&tags=dog&tags=cat");
    expect(direct.json()).toEqual(res.json());

    const all = await viaPrism(petProxy, "GET", "/pets");
    expect(all.status).toBe(200);
    expect(Array.isArray(all.json())).toBe(true);
  });

  it("addPet, findPetById and deletePet: 201, 200, 404, 204, 404", async () => {
    const created = await viaPrism(petProxy, "POST", "/pets", { body: { name: "Tom", tag: "cat" } });
    expect(created.status).toBe(201);
    const pet = created.json() as { id: number; name: string };
    expect(pet).toMatchObject({ name: "Tom", tag: "cat" });

    const one = await viaPrism(petProxy, "GET", `/pets/${pet.id}`);
    expect(one.status).toBe(200);
    expect(one.json()).toEqual(pet);

    const rex = await viaPrism(petProxy, "GET", "/pets/1");
    expect(rex.json()).toEqual({ id: 1, name: "Rex", tag: "dog" });

    const missing = await viaPrism(petProxy, "GET", "/pets/9999");
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: 404 });

    const deleted = await viaPrism(petProxy, "DELETE", `/pets/${pet.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");

    const again = await viaPrism(petProxy, "DELETE", `/pets/${pet.id}`);
    expect(again.status).toBe(404);
  });

  it("flags an invalid request with Prism's 422 before it reaches the extension", async () => {
    const before = (await send(gateway("petstore"), "GET", "/pets")).json() as unknown[];
    const res = await send(petProxy.url, "POST", "/pets", { body: { name: 5 } });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.json()).toMatchObject({
      type: expect.stringContaining("prism/errors#UNPROCESSABLE_ENTITY"),
      validation: [expect.objectContaining({ location: ["body", "name"], severity: "Error" })],
    });
    const after = (await send(gateway("petstore"), "GET", "/pets")).json() as unknown[];
    expect(after).toHaveLength(before.length);

    const badId = await send(petProxy.url, "GET", "/pets/abc");
    expect(badId.status).toBe(422);
    expect(JSON.stringify(badId.json().validation)).toContain("path");
  });

  it("negative control: a response that breaks the spec becomes Prism's 500 VIOLATIONS", async () => {
    const liar = await startPrism("examples/petstore/openapi.yaml", gateway("liar"));
    const direct = await send(gateway("liar"), "GET", "/pets/1");
    expect(direct.status).toBe(200);
    expect(direct.json()).toEqual({ id: 1, name: 666 });
    const res = await send(liar.url, "GET", "/pets/1");
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({ type: expect.stringContaining("VIOLATIONS") });
    expect(res.headers.get("sl-violations")).toContain("name");
  });
});

describe("features through Prism (proxy, --errors)", () => {
  const UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
  // Not sent: simpleStyles, labelStyles, matrixStyles (array path parameters) and queryStyles
  // (a pipeDelimited object parameter) make Prism 5.14.2's deserializers throw and the process exit.

  it("headerStyles: header and cookie parameters in every style", async () => {
    const res = await viaPrism(featureProxy, "GET", "/styles/headers", {
      headers: { "X-Count": "3", "X-Ids": "1,2", "X-Point": "x,1,y,2", "X-Point-X": "x=1,y=2", "X-Trace": UUID, cookie: "session=abcdefgh; prefs=a,b; cfg=theme,dark,size,3; debug=true" },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      headers: { "X-Count": 3, "X-Ids": [1, 2], "X-Point": { x: 1, y: 2 }, "X-Point-X": { x: 1, y: 2 }, "X-Trace": UUID },
      cookies: { session: "abcdefgh", prefs: ["a", "b"], cfg: { theme: "dark", size: 3 }, debug: true },
    });
  });

  it("createWidget: 201 with Location, 409 from 4XX and 503 from default", async () => {
    const widget = {
      name: "wid-1",
      kind: "gadget",
      price: 9.5,
      ratio: 0.5,
      level: "two",
      schemaVersion: 2,
      tags: ["a", "b"],
      note: null,
      attributes: { weight: 3 },
      dimensions: { width: 1, height: 2 },
      contact: { phone: "+4412345678" },
      label: 3,
      email: "a@b.co",
      homepage: "https://example.com/w",
      createdAt: "2024-01-02T03:04:05Z",
      releaseDate: "2024-01-02",
    };
    const created = await viaPrism(featureProxy, "POST", "/widgets", { body: widget });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(/^\/widgets\/[0-9a-f-]{36}$/);
    expect(created.json()).toMatchObject({ ...widget, quantity: 1, status: "draft", dimensions: { width: 1, height: 2, unit: "cm" } });

    const conflict = await viaPrism(featureProxy, "POST", "/widgets", { body: { name: "taken", kind: "gizmo", price: 1 } });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toMatchObject({ title: "Conflict", status: 409 });

    const broken = await viaPrism(featureProxy, "POST", "/widgets", { body: { name: "broken", kind: "gizmo", price: 1 } });
    expect(broken.status).toBe(503);
    expect(broken.json()).toEqual({ code: 503, message: "widget store unavailable" });
  });

  it("deleteWidget: 204 and 404", async () => {
    const deleted = await viaPrism(featureProxy, "DELETE", `/widgets/${UUID}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const missing = await viaPrism(featureProxy, "DELETE", "/widgets/00000000-0000-0000-0000-000000000000");
    expect(missing.status).toBe(404);
  });

  it("measureShape (discriminated oneOf), sumTree (recursive) and greet (text/plain)", async () => {
    const circle = await viaPrism(featureProxy, "POST", "/shapes", { body: { kind: "circle", radius: 2 } });
    expect(circle.status).toBe(200);
    expect(circle.json().area).toBeCloseTo(Math.PI * 4);
    const square = await viaPrism(featureProxy, "POST", "/shapes", { body: { kind: "sq", side: 3 } });
    expect(square.json()).toEqual({ shape: { kind: "sq", side: 3 }, area: 9 });

    const tree = { value: 1, children: [{ value: 2 }, { value: 3, children: [{ value: 4 }] }] };
    const summed = await viaPrism(featureProxy, "POST", "/trees", { body: tree });
    expect(summed.json()).toEqual({ sum: 10, tree });

    const hello = await viaPrism(featureProxy, "GET", "/greeting?name=Ann");
    expect(hello.status).toBe(200);
    expect(hello.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(hello.text).toBe("Hello, Ann!");
    expect((await viaPrism(featureProxy, "GET", "/greeting")).text).toBe("Hello, world!");
  });

  it("flags invalid widgets with Prism's 422", async () => {
    const res = await send(featureProxy.url, "POST", "/widgets", { body: { name: 5, kind: "gadget", price: 1 } });
    expect(res.status).toBe(422);
    expect(res.json().validation).toContainEqual(expect.objectContaining({ location: ["body", "name"] }));
    const extra = await send(featureProxy.url, "POST", "/widgets", { body: { name: "ok-name", kind: "gadget", price: 1, surprise: true } });
    expect(extra.status).toBe(422);
  });

  it("Prism is still running after all of the above", () => {
    for (const p of prisms) expect(p.child.exitCode, p.output().slice(-2000)).toBeNull();
  });
});
