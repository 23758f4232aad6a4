/** Non-JSON media types end to end: forms, multipart, bytes, text and vendor JSON, through the gateway and the typed client. */
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Extension } from "@symphony-codegen/runtime";
import { generate } from "../generator/index.js";
import { startDev, type DevPlatform } from "../dev/server.js";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "test/.tmp/media");
let dev: DevPlatform;
let ext: Extension;
let done: Promise<void>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let gen: any;

beforeAll(async () => {
  await generate(path.join(ROOT, "fixtures/media.yaml"), { out: OUT });
  gen = await import(path.join(OUT, "index.ts"));
  dev = await startDev({ port: 0 });
  ext = new Extension("Media", "media").withNatsUrl(dev.natsUrl);
  let ready!: () => void;
  const up = new Promise<void>((r) => (ready = r));
  done = ext.runWithSetup(async (e) => {
    await gen.register(e, {
      submitForm: ({ body }: { body: unknown }) => gen.SubmitForm.ok(body),
      upload: ({ body }: { body: { title: string; count?: number; file: Uint8Array } }) =>
        gen.Upload.created({
          title: body.title,
          count: body.count,
          size: body.file.length,
          sha: createHash("sha256").update(body.file).digest("hex"),
        }),
      putBlob: ({ body }: { body: Uint8Array }) => gen.PutBlob.ok(Uint8Array.from(body).reverse()),
      postNote: ({ body }: { body: string | { text: string } }, ctx: { request: { headers: Record<string, string> } }) =>
        typeof body === "string"
          ? gen.PostNote.ok(body.toUpperCase(), { contentType: "text/plain" })
          : gen.PostNote.ok({ text: body.text.toUpperCase() }, { contentType: "application/vnd.symphony.note+json" }),
      postQuote: ({ body }: { body: string }) => gen.PostQuote.ok(body),
    });
    ready();
  });
  await up;
});

afterAll(async () => {
  ext?.stop();
  await done;
  await dev?.stop();
});

const url = (p: string) => `${dev.httpUrl}/api/media${p}`;

describe("non-JSON media types over HTTP", () => {
  it("decodes and coerces an urlencoded form, with defaults", async () => {
    const res = await fetch(url("/form"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Ada&age=36&tags=a&tags=b",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "Ada", age: 36, tags: ["a", "b"], subscribe: false });
    const bad = await fetch(url("/form"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "name=&age=x" });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(["/age", "/name"]);
  });

  it("decodes multipart with a binary file part, bytes intact", async () => {
    const file = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
    const form = new FormData();
    form.append("title", "scan");
    form.append("count", "3");
    form.append("file", new Blob([file]), "scan.bin");
    const res = await fetch(url("/upload"), { method: "POST", body: form });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ title: "scan", count: 3, size: 3000, sha: createHash("sha256").update(file).digest("hex") });
    const missing = new FormData();
    missing.append("title", "no file");
    const bad = await fetch(url("/upload"), { method: "POST", body: missing });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe("/file");
  });

  it("carries octet-stream bytes both ways as base64 on NATS", async () => {
    const bytes = new Uint8Array([0, 1, 2, 255, 254, 128]);
    const res = await fetch(url("/blob"), { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: bytes });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(Uint8Array.from(bytes).reverse());
  });

  it("picks the body schema and response by content type (text and vendor JSON)", async () => {
    const text = await fetch(url("/note"), { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(text.headers.get("content-type")).toBe("text/plain");
    expect(await text.text()).toBe("HELLO");
    const vendor = await fetch(url("/note"), { method: "POST", headers: { "content-type": "application/vnd.symphony.note+json" }, body: JSON.stringify({ text: "hi" }) });
    expect(vendor.headers.get("content-type")).toBe("application/vnd.symphony.note+json");
    expect(await vendor.json()).toEqual({ text: "HI" });
    const tooLong = await fetch(url("/note"), { method: "POST", headers: { "content-type": "text/plain" }, body: "x".repeat(30) });
    expect(tooLong.status).toBe(400);
    const unsupported = await fetch(url("/note"), { method: "POST", headers: { "content-type": "image/png" }, body: new Uint8Array([1]) });
    expect(unsupported.status).toBe(415);
  });
});

describe("a JSON body that is a JSON string", () => {
  const quote = (body: string) => fetch(url("/quote"), { method: "POST", headers: { "content-type": "application/json" }, body });

  it("is decoded once: strings that look like JSON stay strings", async () => {
    for (const value of ["hello", "123", '{"a":1}', "", '"quoted"', "null"]) {
      const res = await quote(JSON.stringify(value));
      expect(res.status, `${value}: ${res.status === 200 ? "" : await res.clone().text()}`).toBe(200);
      expect(await res.json()).toBe(value);
    }
    const client = gen.createClient(dev.nc, "media");
    for (const value of ['{"a":1}', "", "7"]) expect(await client.postQuote({ body: value })).toMatchObject({ status: 200, body: value });
  });

  it("refuses non-strings and invalid JSON with a 400 naming the body", async () => {
    const number = await quote("123");
    expect(number.status).toBe(400);
    expect(await number.json()).toMatchObject({ errors: [{ in: "body", pointer: "" }] });
    const broken = await quote('"unterminated');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { detail: string }).detail).toMatch(/Body is not valid JSON/);
  });
});

describe("non-JSON media types through the typed client", () => {
  it("sends forms, multipart and bytes", async () => {
    const client = gen.createClient(dev.nc, "media");
    expect(await client.submitForm({ body: { name: "Bo", age: 5 } })).toMatchObject({ status: 200, body: { name: "Bo", age: 5, subscribe: false } });
    const file = new Uint8Array([9, 8, 7]);
    const uploaded = await client.upload({ body: { title: "t", file } });
    expect(uploaded).toMatchObject({ status: 201, body: { title: "t", size: 3 } });
    const blob = await client.putBlob({ body: new Uint8Array([1, 2, 3]) });
    expect(blob.status).toBe(200);
    expect(blob.body).toEqual(new Uint8Array([3, 2, 1]));
    const note = await client.postNote({ body: "abc", contentType: "text/plain" });
    expect(note).toMatchObject({ status: 200, body: "ABC", contentType: "text/plain" });
  });
});
