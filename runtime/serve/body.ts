/**
 * Step 3 of decoding a request (serve/request.ts): the envelope's body, read by its media type
 * (JSON, form, multipart, text, bytes: docs/protocol.md, "Bodies"), checked against the JSON
 * limits, validated, and handed over without prototypes. The media codecs live in media.ts.
 */
import { BASE64, boundaryOf, fromBase64, isBytes, isTextMediaType, multipartFields, parseFormUrlEncoded, parseMultipart } from "./media.js";
import { issueLocations, issuePointer, REQUIRED } from "./issues.js";
import { checkJsonValue } from "./limits.js";
import { own, ownMap, withoutPrototypes } from "../core/own.js";
import { coerceValue, type ValueShape } from "./parameters.js";
import { RestRequestError, baseMediaType, isJsonMediaType, type FieldError, type RestRequest } from "./envelope.js";
import { buildSchema, type BodySpec, type DecodedRequest } from "./operation.js";

/** How a body of one media type is read (docs/protocol.md, "Bodies"). */
type BodyKind = "json" | "form" | "multipart" | "text" | "binary";

function bodyKind(mediaType: string): BodyKind {
  const base = baseMediaType(mediaType);
  if (isJsonMediaType(base)) return "json";
  if (base === "application/x-www-form-urlencoded") return "form";
  if (base === "multipart/form-data") return "multipart";
  return isTextMediaType(base) || base.endsWith("*") ? "text" : "binary";
}

/** How one operation's body is read, decided once. */
export interface PreparedBody {
  spec: BodySpec;
  declared: readonly string[];
  kinds: Readonly<Record<string, BodyKind>>;
  /** Content type as sent → declared media type; content types repeat, so matching happens once per distinct one. */
  matched: Map<string, string | undefined>;
}

/** Distinct content types remembered per operation (multipart boundaries make them unbounded). */
const MATCH_CACHE_SIZE = 64;

export function prepareBody(spec: BodySpec): PreparedBody {
  const declared = Object.keys(spec.content);
  return { spec, declared, kinds: Object.fromEntries(declared.map((m) => [m, bodyKind(m)])), matched: new Map() };
}

/** Picks the declared media type for a request's content type: exact, then `type/*`, then `*\/*`. */
export function matchMediaType(declared: readonly string[], contentType: string | undefined): string | undefined {
  if (declared.length === 0) return undefined;
  if (!contentType) return declared.length === 1 ? declared[0] : (declared.find((d) => isJsonMediaType(d)) ?? declared[0]);
  const wanted = baseMediaType(contentType);
  const lower = declared.map((d) => baseMediaType(d));
  let i = lower.indexOf(wanted);
  if (i < 0) i = lower.indexOf(wanted.split("/")[0] + "/*");
  if (i < 0 && isJsonMediaType(wanted)) i = lower.findIndex((d) => d === "application/json");
  if (i < 0) i = lower.indexOf("*/*");
  return i < 0 ? undefined : declared[i];
}

function matchBodyMediaType(body: PreparedBody, contentType: string | undefined): string | undefined {
  const key = contentType ?? "";
  if (body.matched.has(key)) return body.matched.get(key);
  const mediaType = matchMediaType(body.declared, contentType);
  if (body.matched.size < MATCH_CACHE_SIZE) body.matched.set(key, mediaType);
  return mediaType;
}

/** Reads and validates the body into `decoded.body`; field failures go to `errors`, a wrong content type or size throws. */
export function decodeBody(prepared: PreparedBody, request: RestRequest, decoded: DecodedRequest, errors: FieldError[]): void {
  const { spec, declared } = prepared;
  const raw = request.body;
  if (raw === undefined || raw === null || raw === "") {
    if (spec.required) errors.push({ in: "body", pointer: "", message: REQUIRED });
    return;
  }
  const contentType = request.headers["content-type"];
  const mediaType = matchBodyMediaType(prepared, contentType);
  if (mediaType === undefined) {
    throw new RestRequestError(`Unsupported content type ${JSON.stringify(contentType ?? "")}; expected ${declared.join(", ")}`, 415, [
      { in: "header", name: "content-type", message: `expected one of ${declared.join(", ")}, got ${JSON.stringify(contentType ?? "")}` },
    ]);
  }
  decoded.contentType = mediaType;
  const kind = prepared.kinds[mediaType]!;
  let body: unknown;
  try {
    body = readBody(raw, request.body_encoding, kind, contentType ?? mediaType, spec.shapes?.[mediaType]);
  } catch (err) {
    errors.push({ in: "body", pointer: "", message: (err as Error).message });
    return;
  }
  // Before validation (and the handler): both recurse, and a 10,000-deep body overflows the stack.
  const exceeded = kind === "json" ? checkJsonValue(body) : undefined;
  if (exceeded) {
    const message = `JSON body ${exceeded.message}`;
    throw new RestRequestError(message, exceeded.status, [{ in: "body", pointer: "", message }]);
  }
  const thunk = spec.content[mediaType];
  if (!thunk) {
    decoded.body = kind === "json" ? withoutPrototypes(body) : body;
    return;
  }
  const schema = buildSchema(thunk);
  // Bytes (files) are checked as strings of the same length, then handed over as bytes; only these kinds carry bytes.
  // JSON is checked as a copy without prototypes: an absent optional `toString` is absent, not Object.prototype's.
  const carriesBytes = kind === "binary" || kind === "multipart";
  const checked = carriesBytes ? withoutPrototypes(body, bytesAsText) : kind === "json" ? withoutPrototypes(body) : body;
  const result = schema.safeParse(checked);
  if (result.success) {
    // zod builds its output of plain objects: copied, so that an absent `toString` reads as undefined in the handler too.
    decoded.body = withoutPrototypes(carriesBytes ? restoreBytes(result.data, body) : result.data);
    return;
  }
  const input = { value: checked, echo: "value" } as const;
  for (const { path, message } of result.error.issues.flatMap((issue) => issueLocations(issue, input)))
    errors.push({ in: "body", pointer: issuePointer(path), message });
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** The envelope body as the value a handler sees, per media type (docs/protocol.md, "Bodies"). */
function readBody(raw: unknown, encoding: string | undefined, kind: BodyKind, contentType: string, shape: ValueShape | undefined): unknown {
  if (encoding !== undefined && encoding !== BASE64) throw new Error(`Unsupported body_encoding ${JSON.stringify(encoding)}`);
  const bytes = encoding === BASE64 && typeof raw === "string" ? fromBase64(raw) : undefined;
  switch (kind) {
    case "json":
      // The envelope carries JSON bodies parsed (a string is the JSON string value, decoded once);
      // only bytes (body_encoding: base64) are JSON text still to parse.
      if (!bytes) return raw;
      try {
        return JSON.parse(utf8.decode(bytes));
      } catch (err) {
        throw new Error(`Body is not valid JSON: ${(err as Error).message}`);
      }
    case "form":
      return formFields(parseFormUrlEncoded(bodyText(raw, bytes)), shape);
    case "multipart": {
      const boundary = boundaryOf(contentType);
      if (!boundary) throw new Error("multipart/form-data body needs a boundary in its content type");
      return formFields(multipartFields(parseMultipart(bytes ?? encoder.encode(bodyText(raw, bytes)), boundary)), shape);
    }
    case "text":
      return bodyText(raw, bytes);
    case "binary":
      return bytes ?? encoder.encode(bodyText(raw, bytes));
  }
}

function bodyText(raw: unknown, bytes: Uint8Array | undefined): string {
  return bytes ? utf8.decode(bytes) : typeof raw === "string" ? raw : JSON.stringify(raw);
}

/** Form fields coerced by the body's shape; files stay bytes. */
function formFields(values: Record<string, unknown>, shape: ValueShape | undefined): Record<string, unknown> {
  const out = ownMap<unknown>();
  const props = shape?.props ?? NO_PROPS;
  for (const [k, v] of Object.entries(values)) {
    out[k] = isBytes(v) || (Array.isArray(v) && v.some(isBytes)) ? v : coerceValue(v as string | string[], own(props, k) ?? {});
  }
  return out;
}

const NO_PROPS: Readonly<Record<string, ValueShape>> = ownMap();

function bytesAsText(value: unknown): unknown {
  return isBytes(value) ? Buffer.from(value).toString("latin1") : value;
}

function restoreBytes(parsed: unknown, original: unknown): unknown {
  if (isBytes(original)) return original;
  if (Array.isArray(original) && Array.isArray(parsed)) return parsed.map((p, i) => restoreBytes(p, original[i]));
  if (original && typeof original === "object" && parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    const out: Record<string, unknown> = { ...parsed };
    for (const [k, v] of Object.entries(original)) if (Object.hasOwn(out, k)) out[k] = restoreBytes(out[k], v);
    return out;
  }
  return parsed;
}
