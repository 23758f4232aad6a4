/**
 * Request and response bodies that are not JSON: text, forms, multipart and bytes.
 * Bytes cross NATS as base64 with the encoding named in the envelope or reply
 * (docs/protocol.md, "Bodies").
 */
import { ownMap } from "../core/own.js";
import { baseMediaType, isJsonMediaType } from "./envelope.js";

export const BASE64 = "base64";

/** Media types whose bodies travel as UTF-8 text (everything else travels as base64 bytes). */
export function isTextMediaType(contentType: string): boolean {
  const base = baseMediaType(contentType);
  return (
    isJsonMediaType(base) ||
    base.startsWith("text/") ||
    base === "application/x-www-form-urlencoded" ||
    base === "application/xml" ||
    base.endsWith("+xml") ||
    base === "application/yaml" ||
    base === "application/javascript"
  );
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** `a=1&b=2&b=3` → {a: "1", b: ["2", "3"]} */
export function parseFormUrlEncoded(text: string): Record<string, string | string[]> {
  const out = ownMap<string | string[]>();
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function scalarText(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}

export function formUrlEncode(value: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, scalarText(item));
  }
  return params.toString();
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Uint8Array;
}

function indexOf(haystack: Buffer, needle: Buffer, from: number): number {
  return haystack.indexOf(needle, from);
}

/** Splits a multipart/form-data body into its parts. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = indexOf(buf, delimiter, 0);
  if (start < 0) throw new Error("multipart body has no boundary delimiter");
  for (;;) {
    start += delimiter.length;
    if (buf.subarray(start, start + 2).toString() === "--") break; // closing delimiter
    if (buf.subarray(start, start + 2).toString() === "\r\n") start += 2;
    const end = indexOf(buf, delimiter, start);
    if (end < 0) throw new Error("multipart body is not terminated");
    const part = buf.subarray(start, end - 2); // the CRLF before the delimiter belongs to it
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw new Error("multipart part has no header section");
    const headers = part.subarray(0, split).toString("utf8");
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new Error("multipart part has no name");
    const result: MultipartPart = { name, data: new Uint8Array(part.subarray(split + 4)) };
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) result.filename = filename;
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
    if (type) result.contentType = type;
    parts.push(result);
    start = end;
  }
  return parts;
}

/** multipart/form-data bytes for an object; Uint8Array values become file parts. */
export function buildMultipart(value: Record<string, unknown>, boundary: string): Uint8Array {
  const chunks: Buffer[] = [];
  const push = (name: string, item: unknown) => {
    if (isBytes(item)) {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      );
      chunks.push(Buffer.from(item), Buffer.from("\r\n"));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${scalarText(item)}\r\n`));
    }
  };
  for (const [name, v] of Object.entries(value)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) push(name, item);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Multipart parts as an object: text parts as strings, file (or non-text) parts as bytes; repeated names as arrays. */
export function multipartFields(parts: MultipartPart[]): Record<string, unknown> {
  const out = ownMap<unknown>();
  for (const part of parts) {
    const binary = part.filename !== undefined || (part.contentType !== undefined && !isTextMediaType(part.contentType));
    const value = binary ? part.data : new TextDecoder().decode(part.data);
    const prev = out[part.name];
    out[part.name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
