/** Specs larger than max_payload: compressed metadata, then the object store; the gateway reads every form. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect, RequestStrategy } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as prettier from "prettier";
import { decodeOpenApiMetadata, Extension, InvalidConfiguration, objectLoader, serveApi, specText, type ApiDefinition, type CompressedSpec, type EmbeddedSpec } from "@symphony-codegen/runtime";
import { SPEC_BUCKET } from "@symphony-codegen/runtime/internal/sdk/metadata.js";
import { emitSpec } from "../generator/emit/register.js";
import { COMPRESS_SPEC_ABOVE } from "../generator/emit/spec-size.js";
import { startDev, type DevPlatform } from "../dev/server.js";
import { shutDown } from "./helpers/extension.js";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let nats: NatsServer;
let dev: DevPlatform;
const running: Extension[] = [];

function spec(title: string, padding: string): string {
  return JSON.stringify({
    openapi: "3.1.0",
    info: { title, version: "1.0.0", description: padding },
    paths: { "/hello": { get: { operationId: "hello", responses: { "200": { description: "ok" } } } } },
  });
}

function api(name: string, openapi: EmbeddedSpec): ApiDefinition {
  return {
    name,
    version: "1.0.0",
    description: name,
    openapi,
    operations: [{ handler: "hello", endpoint: "hello", method: "GET", path: "/hello", params: [], responses: { "200": "application/json" } }],
  };
}

async function serve(prefix: string, definition: ApiDefinition): Promise<Record<string, string>> {
  const ext = new Extension(prefix, prefix).withNatsUrl(nats.url);
  running.push(ext);
  await ext.connect();
  const service = await serveApi(ext, definition, { hello: () => ({ status: 200, body: { from: prefix } }) });
  return service.info().metadata ?? {};
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
  const conf = path.join(dir, "small.conf");
  writeFileSync(conf, "max_payload: 65536\n");
  nats = await startNatsServer({ args: ["-c", conf] });
  dev = await startDev({ port: 0, natsUrl: nats.url, discoverIntervalMs: 200 });
});

afterAll(() => shutDown(running, dev, nats));

describe("large specs", () => {
  it("keeps a spec verbatim when it fits", async () => {
    const text = spec("small", "tiny");
    const metadata = await serve("small", api("small", text));
    expect(metadata.openapi).toBe(text);
    expect(metadata["openapi.encoding"]).toBeUndefined();
  });

  it("compresses a spec that fits only compressed, and the gateway serves it", async () => {
    const text = spec("zipped", "lorem ipsum ".repeat(20_000)); // 240 KB, compresses well
    const metadata = await serve("zipped", api("zipped", text));
    expect(metadata["openapi.encoding"]).toBe("gzip+base64");
    expect(metadata.openapi!.length).toBeLessThan(65536);
    expect(await decodeOpenApiMetadata(metadata)).toBe(text);
    const res = await fetch(`${dev.httpUrl}/api/zipped/hello`);
    expect(await res.json()).toEqual({ from: "zipped" });
    const served = (await (await fetch(`${dev.httpUrl}/_symphony/openapi/zipped/zipped.json`)).json()) as { info: { title: string } };
    expect(served.info.title).toBe("zipped");
  });

  it("stores a spec too large even compressed in the object store, and every reader finds it", async () => {
    const text = spec("stored", randomBytes(150_000).toString("base64")); // incompressible
    const metadata = await serve("stored", api("stored", text));
    expect(metadata.openapi).toBeUndefined();
    expect(metadata["openapi.ref"]).toMatch(/^objectstore:symphony_openapi\/stored\.stored\.1\.0\.0\.[0-9a-f]{16}$/);
    const nc = await connect({ servers: nats.url });
    try {
      // Discovery over plain $SRV.INFO still answers (the reply fits max_payload).
      const infos = [];
      for await (const info of await nc.services.client({ maxWait: 500, strategy: RequestStrategy.JitterTimer, jitter: 100 }).info("stored")) infos.push(info);
      expect(infos).toHaveLength(1);
      expect(await decodeOpenApiMetadata(infos[0]!.metadata!, objectLoader(nc))).toBe(text);
    } finally {
      await nc.close();
    }
    const res = await fetch(`${dev.httpUrl}/api/stored/hello`);
    expect(await res.json()).toEqual({ from: "stored" });
  });

  /** spec.ts as the generator writes it for `text`, imported. */
  async function embedded(text: string): Promise<CompressedSpec> {
    const source = emitSpec(text, "@symphony-codegen/runtime");
    expect(emitSpec(text, "@symphony-codegen/runtime")).toBe(source); // same input, same bytes
    expect(await prettier.format(source, { parser: "typescript", printWidth: 100 })).toBe(source);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "spec-ts-")), "spec.ts");
    writeFileSync(file, source);
    const { openapiSpec } = (await import(file)) as { openapiSpec: CompressedSpec };
    expect(openapiSpec).toMatchObject({ encoding: "gzip+base64", bytes: Buffer.byteLength(text) });
    expect(specText(openapiSpec)).toBe(text);
    return openapiSpec;
  }

  it("a generated spec over 1 MiB is embedded compressed and announced as embedded, not compressed again", async () => {
    const text = spec("embedded", "lorem ipsum ".repeat(100_000));
    expect(Buffer.byteLength(text)).toBeGreaterThan(COMPRESS_SPEC_ABOVE);
    const openapiSpec = await embedded(text);
    const metadata = await serve("embedded", api("embedded", openapiSpec));
    expect(metadata["openapi.encoding"]).toBe("gzip+base64");
    expect(metadata.openapi).toBe(openapiSpec.data);
    const res = await fetch(`${dev.httpUrl}/api/embedded/hello`);
    expect(await res.json()).toEqual({ from: "embedded" });
    const served = (await (await fetch(`${dev.httpUrl}/_symphony/openapi/embedded/embedded.json`)).json()) as { info: { title: string } };
    expect(served.info.title).toBe("embedded");
  });

  it("a compressed embedded spec too large even so goes to the object store as the document's bytes", async () => {
    const text = spec("bigstored", randomBytes(800_000).toString("base64"));
    const metadata = await serve("bigstored", api("bigstored", await embedded(text)));
    expect(metadata["openapi.ref"]).toMatch(/^objectstore:symphony_openapi\/bigstored\.bigstored\.1\.0\.0\.[0-9a-f]{16}$/);
    const nc = await connect({ servers: nats.url });
    try {
      expect(await decodeOpenApiMetadata(metadata, objectLoader(nc))).toBe(text);
    } finally {
      await nc.close();
    }
    const res = await fetch(`${dev.httpUrl}/api/bigstored/hello`);
    expect(await res.json()).toEqual({ from: "bigstored" });
  });

  it("an instance finding its spec stored already uploads nothing; a stored object that differs is replaced", async () => {
    const text = spec("restart", randomBytes(800_000).toString("base64")); // embedded compressed; decompressed and uploaded in pieces
    const definition = api("restart", await embedded(text));
    const metadata = await serve("restart", definition);
    const name = metadata["openapi.ref"]!.slice("objectstore:symphony_openapi/".length);
    const nc = await connect({ servers: nats.url });
    try {
      const os = await nc.jetstream().views.os(SPEC_BUCKET);
      const first = (await os.info(name))!;
      expect(first.size).toBe(Buffer.byteLength(text));
      expect(await serve("restart", definition)).toEqual(metadata);
      expect((await os.info(name))!.nuid).toBe(first.nuid); // the same upload: nothing was stored again

      await os.putBlob({ name }, new TextEncoder().encode("{}")); // another document under the name
      expect(await serve("restart", definition)).toEqual(metadata);
      const replaced = (await os.info(name))!;
      expect(replaced.nuid).not.toBe(first.nuid);
      expect(await decodeOpenApiMetadata(metadata, objectLoader(nc))).toBe(text);
    } finally {
      await nc.close();
    }
  });

  it("refuses an embedded spec in an encoding it does not know", () => {
    expect(() => specText({ encoding: "br", bytes: 2, data: "e30=" } as unknown as CompressedSpec)).toThrow(InvalidConfiguration);
  });

  it("refuses a tampered stored spec", async () => {
    await expect(
      decodeOpenApiMetadata({ "openapi.ref": "objectstore:b/x", "openapi.sha256": "0".repeat(64) }, async () => new TextEncoder().encode("{}")),
    ).rejects.toThrow(/does not match its sha256/);
  });
});
