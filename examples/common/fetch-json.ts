/**
 * Reading JSON from an upstream HTTP service, for the examples that integrate one (demo_widgets,
 * weather): bounded in time and size, and checked against a schema, so that an upstream that is
 * down, slow, wrong or hostile is an `UpstreamError` saying which request failed and why (the
 * JSON pointer of a field of the wrong kind), never a crash or a broken page.
 */
import type { z } from "@symphony-codegen/runtime";

/** Why an upstream request failed: `kind` lets a handler pick its status (504 for a timeout, 502 else). */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  constructor(
    message: string,
    readonly kind: "unreachable" | "timeout" | "status" | "malformed",
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Largest answer read: a runaway upstream must not exhaust memory. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** GETs `url` and returns its JSON answer once `schema` accepts it; rejects with UpstreamError. */
export async function getJson<T>(url: URL, schema: z.ZodType<T>, timeoutMs: number): Promise<T> {
  // Without the query: it may carry an API key, and messages reach logs and problem details.
  const where = `GET ${url.origin}${url.pathname}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  } catch (err) {
    if ((err as Error).name === "TimeoutError") throw new UpstreamError(`${where}: no answer within ${timeoutMs} ms`, "timeout");
    throw new UpstreamError(`${where}: ${String((err as { cause?: unknown }).cause ?? err)}`, "unreachable");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new UpstreamError(`${where}: HTTP ${res.status}`, "status", res.status);
  }
  let body: unknown;
  try {
    const text = await readLimited(res);
    body = JSON.parse(text);
  } catch (err) {
    if ((err as Error).name === "TimeoutError") throw new UpstreamError(`${where}: no answer within ${timeoutMs} ms`, "timeout");
    throw new UpstreamError(`${where}: ${(err as Error).message}`, "malformed");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UpstreamError(`${where}: /${issue.path.join("/")}: ${issue.message}`, "malformed");
  }
  return parsed.data;
}

/** The body as text, refused past MAX_ANSWER_BYTES whatever Content-Length says. */
async function readLimited(res: Response): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? 0);
  if (declared > MAX_ANSWER_BYTES) {
    await res.body?.cancel();
    throw new Error(`answer of ${declared} bytes is over the ${MAX_ANSWER_BYTES}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await res.body?.cancel();
      throw new Error(`answer over the ${MAX_ANSWER_BYTES}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `path` resolved under `base` (a base with a path keeps it: `http://h/api` + `v1/x` → `http://h/api/v1/x`). */
export function under(base: string, path: string, query: Record<string, string | number> = {}): URL {
  const url = new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url;
}
