/**
 * How a service announces its OpenAPI document in `$SRV.INFO` metadata, whatever
 * its size (docs/protocol.md, "Large specs"). Writers pick the first form that
 * fits the server's max_payload; readers (gateway, Client) accept every form.
 *
 * 1. `openapi`: the document verbatim (always, when it fits);
 * 2. `openapi` = base64(gzip(document)) with `openapi.encoding: gzip+base64`;
 * 3. the document in the JetStream object store `symphony_openapi`, with
 *    `openapi.ref: objectstore:symphony_openapi/<name>` and `openapi.sha256`.
 */
import { createHash } from "node:crypto";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { InvalidConfiguration } from "../core/errors.js";

export const OPENAPI_KEY = "openapi";
export const OPENAPI_ENCODING_KEY = "openapi.encoding";
export const OPENAPI_REF_KEY = "openapi.ref";
export const OPENAPI_SHA256_KEY = "openapi.sha256";
export const GZIP_BASE64 = "gzip+base64";
export const SPEC_BUCKET = "symphony_openapi";

/**
 * A document as generated code embeds one over 1 MiB (spec.ts): gzip, base64, the form
 * `openapi.encoding: gzip+base64` carries. Held compressed, a large spec costs an extension a
 * tenth of the memory (GitHub's 6.9 MB: 0.9 MB).
 */
export interface CompressedSpec {
  encoding: typeof GZIP_BASE64;
  /** The document's size in UTF-8 bytes. */
  bytes: number;
  data: string;
}

/** The bundled document as spec.ts exports it: verbatim, or compressed when large. */
export type EmbeddedSpec = string | CompressedSpec;

/** The document's UTF-8 bytes, whichever form it is embedded in. */
export function specBytes(spec: EmbeddedSpec): Uint8Array {
  if (typeof spec === "string") return Buffer.from(spec);
  if (spec.encoding !== GZIP_BASE64) throw new InvalidConfiguration(`unsupported embedded spec encoding ${JSON.stringify(spec.encoding)}`);
  return gunzipSync(Buffer.from(spec.data, "base64"));
}

/** The document's text, whichever form it is embedded in. */
export function specText(spec: EmbeddedSpec): string {
  return typeof spec === "string" ? spec : Buffer.from(specBytes(spec)).toString("utf8");
}

/** Pieces of the document's bytes the object store takes at a time (nats.js's default chunk size). */
const PIECE_BYTES = 128 * 1024;

/**
 * The document's UTF-8 bytes in pieces of at most 128 KiB, decompressed as they are read: the whole
 * document (GitHub's: 7 MB) never sits in memory at once.
 */
export async function* specPieces(spec: EmbeddedSpec): AsyncGenerator<Uint8Array> {
  if (typeof spec === "string") {
    const bytes = Buffer.from(spec);
    for (let i = 0; i < bytes.length; i += PIECE_BYTES) yield bytes.subarray(i, i + PIECE_BYTES);
    return;
  }
  if (spec.encoding !== GZIP_BASE64) throw new InvalidConfiguration(`unsupported embedded spec encoding ${JSON.stringify(spec.encoding)}`);
  const gunzip = createGunzip({ chunkSize: PIECE_BYTES });
  gunzip.end(Buffer.from(spec.data, "base64"));
  yield* gunzip as AsyncIterable<Buffer>;
}

/** `specPieces` as a web stream (what nats.js's object store reads), pulled one piece at a time. */
export function specStream(spec: EmbeddedSpec): ReadableStream<Uint8Array> {
  const pieces = specPieces(spec);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await pieces.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

/** The hex SHA-256 of the document's bytes, whichever form it is embedded in, read piece by piece. */
export async function specDigest(spec: EmbeddedSpec): Promise<string> {
  if (typeof spec === "string") return sha256(spec);
  const hash = createHash("sha256");
  for await (const piece of specPieces(spec)) hash.update(piece);
  return hash.digest("hex");
}

/** The hex SHA-256 an object store's `SHA-256=<base64url>` digest names, or undefined for another form. */
export function objectDigestHex(digest: string): string | undefined {
  const prefix = "SHA-256=";
  return digest.startsWith(prefix) ? Buffer.from(digest.slice(prefix.length), "base64url").toString("hex") : undefined;
}

/** Loads an object-store object's bytes (undefined when missing). */
export type ObjectLoader = (bucket: string, name: string) => Promise<Uint8Array | undefined | null>;

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The inline forms, in order of preference; undefined when neither fits. A document longer than
 * `maxBytes` cannot fit verbatim, so it is not expanded (or measured) to try.
 */
export function inlineOpenApiMetadata(spec: EmbeddedSpec, fits: (metadata: Record<string, string>) => boolean, maxBytes = Infinity): Record<string, string> | undefined {
  if ((typeof spec === "string" ? Buffer.byteLength(spec) : spec.bytes) <= maxBytes) {
    const verbatim = { [OPENAPI_KEY]: specText(spec) };
    if (fits(verbatim)) return verbatim;
  }
  const data = typeof spec === "string" ? gzipSync(spec, { level: 9 }).toString("base64") : spec.data;
  const compressed = { [OPENAPI_KEY]: data, [OPENAPI_ENCODING_KEY]: GZIP_BASE64 };
  return fits(compressed) ? compressed : undefined;
}

/** Metadata pointing at the document stored in the object store under `name`, with its sha256 (hex). */
export function referencedOpenApiMetadata(digest: string, name: string): Record<string, string> {
  return { [OPENAPI_REF_KEY]: `objectstore:${SPEC_BUCKET}/${name}`, [OPENAPI_SHA256_KEY]: digest };
}

/** The document text from any form, or undefined when the service announces none. */
export async function decodeOpenApiMetadata(metadata: Readonly<Record<string, string>>, loadObject?: ObjectLoader): Promise<string | undefined> {
  const ref = metadata[OPENAPI_REF_KEY];
  if (ref !== undefined) {
    const match = /^objectstore:([^/]+)\/(.+)$/.exec(ref);
    if (!match) throw new Error(`unsupported ${OPENAPI_REF_KEY} ${JSON.stringify(ref)}`);
    if (!loadObject) throw new Error(`${OPENAPI_REF_KEY} needs JetStream to read`);
    const data = await loadObject(match[1]!, match[2]!);
    if (!data) throw new Error(`spec object ${match[2]} not found in bucket ${match[1]}`);
    const expected = metadata[OPENAPI_SHA256_KEY];
    if (expected && sha256(data) !== expected) throw new Error(`spec object ${match[2]} does not match its sha256`);
    return new TextDecoder().decode(data);
  }
  const value = metadata[OPENAPI_KEY];
  if (value === undefined) return undefined;
  const encoding = metadata[OPENAPI_ENCODING_KEY];
  if (encoding === undefined) return value;
  if (encoding !== GZIP_BASE64) throw new Error(`unsupported ${OPENAPI_ENCODING_KEY} ${JSON.stringify(encoding)}`);
  return gunzipSync(Buffer.from(value, "base64")).toString("utf8");
}
