/**
 * Fuzz cases, from the generator's model of each example spec (the model every emitter reads):
 * parameter and body values from the differential test's JSON Schema arbitraries (valid values and
 * near misses), serialised per style/explode by the runtime's own client serialiser, then bent in one
 * way per case (a kind): a wrong or boundary value, an odd wire string, a missing field, a hostile
 * member name, a huge or deeply nested value, a malformed envelope, a wrong method, an odd HTTP path
 * or content type. Case `i` of seed `s` is always the same case, so any one can be replayed alone.
 */
import fc from "fast-check";
import { buildEnvelope, fillPath, queryString, type OperationSpec, type RestRequest } from "@symphony-codegen/runtime";
import { buildModel, loadSpec, type OperationModel } from "../../generator/index.js";
import { Generator } from "../../generator/arbitraries.js";
import { clientOperationSpec } from "../../generator/conformance/api.js";
import path from "node:path";
import { ROOT } from "./processes.js";

/** nats-server's default max_payload: the largest message either side may send. */
export const MAX_PAYLOAD = 1024 * 1024;

export const KINDS = [
  "valid",
  "mutant-value",
  "raw-string",
  "missing",
  "hostile-names",
  "huge",
  "deep-nesting",
  "malformed-envelope",
  "wrong-method",
  "odd-path",
  "odd-content-type",
] as const;
export type CaseKind = (typeof KINDS)[number];
export type Transport = "nats" | "gateway";

/** An example service to fuzz, and the statuses its handlers return by design (e.g. a 503 for the name "broken"). */
export interface FuzzTarget {
  example: string;
  prefix: string;
  designed5xx?: Record<string, number[]>;
}

export const DEFAULT_TARGETS: FuzzTarget[] = [
  {
    example: "features",
    prefix: "features",
    designed5xx: { createWidget: [503] },
  },
  { example: "petstore", prefix: "petstore" },
];

export interface FuzzOperation {
  target: FuzzTarget;
  model: OperationModel;
  /** What the runtime's serialiser needs of the operation. */
  spec: OperationSpec;
  gen: Generator;
}

interface CaseBase {
  index: number;
  kind: CaseKind;
  /** What was bent, in a few words (e.g. `query key "constructor"`). */
  note: string;
  op: FuzzOperation;
}

export interface NatsCase extends CaseBase {
  transport: "nats";
  subject: string;
  payload: Uint8Array;
}

export interface HttpCase extends CaseBase {
  transport: "gateway";
  method: string;
  /** The request target after `/api/<prefix>` (path and query, already encoded), or a whole target when `absolute`. */
  target: string;
  absolute?: boolean;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export type FuzzCase = NatsCase | HttpCase;

/**
 * The differential test's generator, each arbitrary built once per schema: its near misses build
 * arbitraries while sampling, and building a full-Unicode string arbitrary maps a million code points.
 */
class CachedGenerator extends Generator {
  #built = new WeakMap<object, Map<string, fc.Arbitrary<unknown>>>();
  #scalars = new Map<string, fc.Arbitrary<unknown>>();

  #once(schema: unknown, key: string, build: () => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
    const map = typeof schema === "object" && schema !== null ? (this.#built.get(schema) ?? this.#built.set(schema, new Map()).get(schema)!) : this.#scalars;
    const full = typeof schema === "object" && schema !== null ? key : `${key} ${JSON.stringify(schema)}`;
    let arb = map.get(full);
    if (!arb) map.set(full, (arb = build()));
    return arb;
  }

  override valid(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    return this.#once(schema, `valid ${depth}`, () => super.valid(schema, depth));
  }

  override mutant(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    return this.#once(schema, `mutant ${depth}`, () => super.mutant(schema, depth));
  }
}

/** Loads each target's spec into fuzzable operations. */
export async function loadOperations(targets: FuzzTarget[]): Promise<FuzzOperation[]> {
  const out: FuzzOperation[] = [];
  for (const target of targets) {
    const model = buildModel(await loadSpec(path.join(ROOT, "examples", target.example, "openapi.yaml")));
    const gen = new CachedGenerator({
      document: model.document,
      is30: model.openapiVersion.startsWith("3.0"),
    });
    for (const op of model.operations) {
      // No shapes: the fuzzer's values are serialised as they are drawn, mutants included.
      const spec = clientOperationSpec(op, () => ({}));
      out.push({ target, model: op, spec, gen });
    }
  }
  return out;
}

// ------------------------------------------------------------------ building blocks

/** Sets an own, enumerable member even when its name is `__proto__` (plain assignment would set the prototype). */
export function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Every member name of Object.prototype, and a few more a merge or a path walk could follow. */
export const HOSTILE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), "prototype", "__proto__.polluted", "constructor.prototype"];

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"];

/** Wire strings a coercer or splitter may get wrong: non-canonical numbers, separators alone, JSON-looking text. */
const ODD_STRINGS = [
  "",
  " ",
  "1e3",
  "0x10",
  "01",
  "+1",
  " 1",
  "1 ",
  "1.0",
  "-0",
  "9007199254740993",
  "-9007199254740993",
  "99999999999999999999",
  "1e400",
  "1_000",
  "١٢",
  "Infinity",
  "NaN",
  ",",
  ",,",
  "=",
  ";",
  ".",
  "|",
  "%",
  "%00",
  "\u0000",
  "null",
  "true",
  "[]",
  "{}",
  "x,1,y",
  "x=1,y",
  ";x=1;x=2",
  ".1.",
  "😀",
  "\ud800",
];

const WRONG_FIELD_VALUES: unknown[] = [1, -1, true, null, [], [1], {}, { a: 1 }, { a: { b: 1 } }, { a: [1] }, "x", ""];

/** A string of about `bytes` bytes once JSON-escaped, made of one repeated unit (separators, escapes, astral characters). */
function hugeString(bytes: number, unit: string): string {
  const cost = Buffer.byteLength(JSON.stringify(unit)) - 2;
  return unit.repeat(Math.max(1, Math.floor(bytes / cost)));
}
const HUGE_UNITS = ["a", "a,", "1,", "é", "😀", '"', "\\", "%41", ";x=1", "x=1,"];

/** `depth` nested arrays or objects, as JSON text (built as text: the harness must not recurse either). */
function nestedJson(depth: number, shape: "array" | "object"): string {
  return shape === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A request before it is put on a wire: the envelope's maps, and the body as a value or as ready text. */
interface Draft {
  method: string;
  envelope: RestRequest;
  /** Body text sent as is (deep nesting, raw JSON with odd keys); overrides `envelope.body`. */
  bodyText?: string;
  contentType?: string;
  note: string;
}

interface Slot {
  where: "path" | "query" | "header" | "cookie" | "body";
  name: string;
  schema: unknown;
  required: boolean;
}

function slots(op: FuzzOperation): Slot[] {
  const out: Slot[] = op.model.parameters.map((p) => ({
    where: p.in,
    name: p.name,
    schema: p.schema,
    required: p.required,
  }));
  const media = op.model.requestBody?.content[0];
  if (media)
    out.push({
      where: "body",
      name: "body",
      schema: media.schema ?? true,
      required: op.model.requestBody!.required,
    });
  return out;
}

const BAG = {
  path: "path",
  query: "query",
  header: "headers",
  cookie: "cookies",
  body: "body",
} as const;

const memo = new WeakMap<object, Map<string, fc.Arbitrary<unknown>>>();

/** The arbitrary `build` makes for (`owner`, `key`), built once: building (schemas, regexes) costs more than sampling. */
function once<T>(owner: object, key: string, build: () => fc.Arbitrary<T>): fc.Arbitrary<T> {
  let map = memo.get(owner);
  if (!map) memo.set(owner, (map = new Map()));
  let arb = map.get(key);
  if (!arb) map.set(key, (arb = build()));
  return arb as fc.Arbitrary<T>;
}

type Replacement = "mutant" | "missing";

/** Valid values for every slot (optional ones present two times in three), one slot's value replaced when asked. */
function inputArb(op: FuzzOperation, replace?: { slot: number; by: Replacement }): fc.Arbitrary<Record<string, unknown>> {
  return once(op, `input ${replace?.slot ?? ""} ${replace?.by ?? ""}`, () => {
    const all = slots(op);
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    all.forEach((s, i) => {
      const valid = op.gen.valid(s.schema);
      if (replace?.slot === i) parts[String(i)] = replace.by === "mutant" ? op.gen.mutant(s.schema) : fc.constant(undefined);
      else parts[String(i)] = s.required ? valid : fc.option(valid, { nil: undefined, freq: 3 });
    });
    return fc.record(parts).map((values) => {
      const input: Record<string, Record<string, unknown> | unknown> = {
        path: {},
        query: {},
        headers: {},
        cookies: {},
      };
      all.forEach((s, i) => {
        const v = values[String(i)];
        if (v === undefined) return;
        if (s.where === "body") input.body = v;
        else put(input[BAG[s.where]] as Record<string, unknown>, s.name, v);
      });
      return input;
    });
  });
}

/** One slot, by index, with its input arbitrary replaced per `by` (valid input when the operation has no slot to pick). */
function replacedInput(op: FuzzOperation, by: Replacement, pick: (s: Slot) => boolean): fc.Arbitrary<{ input: Record<string, unknown>; slot?: Slot }> {
  const all = slots(op);
  const eligible = all.map((s, i) => ({ s, i })).filter(({ s }) => pick(s));
  if (eligible.length === 0) return inputArb(op).map((input) => ({ input }));
  return fc.oneof(...eligible.map(({ s, i }) => inputArb(op, { slot: i, by }).map((input) => ({ input, slot: s }))));
}

/** A copy with lone surrogates replaced (encodeURIComponent, and so the client's path filling, throws on them). */
function wellFormed(value: unknown): unknown {
  // String#toWellFormed is in Node 20 (V8 11.1), not in the ES2023 lib this project compiles against.
  if (typeof value === "string") return (value as string & { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (!isObj(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) put(out, k, wellFormed(v));
  return out;
}

/** encodeURIComponent, which throws on a lone surrogate: those become U+FFFD first. */
const encode = (text: string) => encodeURIComponent(wellFormed(text) as string);

function draftOf(op: FuzzOperation, input: Record<string, unknown>, note: string): Draft {
  let envelope: RestRequest;
  try {
    envelope = buildEnvelope(op.spec, input);
  } catch {
    envelope = buildEnvelope(op.spec, wellFormed(input) as Record<string, unknown>);
  }
  return { method: op.model.method, envelope, note };
}

/** url and path again from the (possibly bent) maps, as the gateway would have built them. */
function refreshUrl(op: FuzzOperation, envelope: RestRequest): void {
  const p = fillPath(op.model.path, wellFormed(envelope.path_params) as Record<string, string>);
  envelope.path = p;
  envelope.url = p + queryString(envelope.query_params);
}

// ------------------------------------------------------------------ kinds

const anySlot = (op: FuzzOperation): fc.Arbitrary<Slot | undefined> => {
  const all = slots(op);
  return all.length === 0 ? fc.constant(undefined) : fc.constantFrom(...all);
};

function validDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  return inputArb(op).map((input) => draftOf(op, input, "all values valid"));
}

function mutantDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  return replacedInput(op, "mutant", () => true).map(({ input, slot }) =>
    draftOf(op, input, slot ? `near-miss ${slot.where} ${slot.name}` : "all values valid"),
  );
}

/** One parameter's wire string replaced by an odd one (or a declared name given as an odd query/header value). */
function rawStringDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  const params = op.model.parameters;
  if (params.length === 0) return validDraft(op);
  return fc.tuple(validDraft(op), fc.constantFrom(...params), fc.constantFrom(...ODD_STRINGS), fc.boolean()).map(([draft, p, odd, asPrefix]) => {
    const e = draft.envelope;
    const label = p.style === "label" ? "." : p.style === "matrix" ? `;${p.name}=` : "";
    const text = asPrefix ? label + odd : odd;
    if (p.in === "path") put(e.path_params, p.name, text);
    else if (p.in === "query") put(e.query_params, p.name, text);
    else if (p.in === "header") put(e.headers, p.name.toLowerCase(), text);
    else e.headers.cookie = `${p.name}=${encode(text)}`;
    refreshUrl(op, e);
    return { ...draft, note: `${p.in} ${p.name} = ${JSON.stringify(text)}` };
  });
}

function missingDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  return replacedInput(op, "missing", (s) => s.required).map(({ input, slot }) =>
    draftOf(op, input, slot ? `${slot.where} ${slot.name} missing` : "all values valid"),
  );
}

const hostileName = fc.constantFrom(...HOSTILE_NAMES);
const hostileValue = fc.constantFrom<unknown>("x", "1", "", "polluted", { polluted: true }, [1], null, { prototype: { polluted: true } });

/** Object.prototype member names as envelope map keys, cookie names, members of object parameters, body keys. */
function hostileDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  const objectParams = op.model.parameters.filter((p) => isObj(p.schema) && (p.schema.type === "object" || "$ref" in p.schema));
  const places = ["query", "header", "path", "cookie", "body", ...(objectParams.length > 0 ? ["member"] : [])] as const;
  return fc.tuple(inputArb(op), fc.constantFrom(...places), hostileName, hostileValue, fc.nat(objectParams.length)).map(([input, place, name, value, pick]) => {
    const scalar = typeof value === "string" ? value : JSON.stringify(value);
    if (place === "member") {
      const p = objectParams[pick % objectParams.length]!;
      const bag = input[BAG[p.in]] as Record<string, unknown>;
      const member = {
        ...(isObj(bag[p.name]) ? (bag[p.name] as object) : { x: 1, y: 2 }),
      };
      put(member, name, scalar);
      put(bag, p.name, member);
      return draftOf(op, input, `${p.in} ${p.name} member ${JSON.stringify(name)}`);
    }
    const draft = draftOf(op, input, `${place} key ${JSON.stringify(name)}`);
    const e = draft.envelope;
    if (place === "query") put(e.query_params, name, Array.isArray(value) ? ["a", "b"] : scalar);
    else if (place === "header") put(e.headers, name.toLowerCase(), scalar);
    else if (place === "path") put(e.path_params, name, scalar);
    else if (place === "cookie") e.headers.cookie = [e.headers.cookie, `${name}=${encode(scalar)}`].filter(Boolean).join("; ");
    else {
      // A body with the key at the top and one level down; as text, so `__proto__` is a real member.
      const inner = JSON.stringify({
        [name === "__proto__" ? "nested" : name]: value,
      });
      const body = isObj(e.body) ? e.body : {};
      const text = JSON.stringify(body)
        .replace(/^\{/, `{${JSON.stringify(name)}:${JSON.stringify(value) ?? "null"},"__proto__":${inner},`)
        .replace(/,\}$/, "}");
      draft.bodyText = text;
      draft.contentType = "application/json";
    }
    refreshUrl(op, e);
    return draft;
  });
}

/** One value made huge: a parameter or a body string member, from 16 KiB to just over max_payload. */
function hugeDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  const sizes = fc.constantFrom(16 * 1024, 200 * 1024, 600 * 1024, 1000 * 1000, 1200 * 1000);
  return fc.tuple(inputArb(op), anySlot(op), sizes, fc.constantFrom(...HUGE_UNITS)).map(([input, slot, size, unit]) => {
    const huge = hugeString(size, unit);
    if (!slot) {
      const draft = draftOf(op, input, `unrouted header of ${size} bytes`);
      draft.envelope.headers["x-huge"] = huge;
      return draft;
    }
    if (slot.where === "body") {
      const body = isObj(input.body) ? { ...input.body } : {};
      const key = Object.keys(body).find((k) => typeof body[k] === "string") ?? "name";
      body[key] = huge;
      input.body = body;
    } else put(input[BAG[slot.where]] as Record<string, unknown>, slot.name, huge);
    return draftOf(op, input, `${slot.where} ${slot.name}: ${size} bytes of ${JSON.stringify(unit)}`);
  });
}

function deepDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  return fc
    .tuple(validDraft(op), fc.constantFrom(64, 1000, 10_000, 100_000), fc.constantFrom("array", "object") as fc.Arbitrary<"array" | "object">)
    .map(([draft, depth, shape]) => ({
      ...draft,
      bodyText: nestedJson(depth, shape),
      contentType: "application/json",
      note: `body nested ${depth} ${shape}s deep`,
    }));
}

function wrongMethodDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  const others = METHODS.filter((m) => m !== op.model.method);
  return fc.tuple(validDraft(op), fc.constantFrom(...others)).map(([draft, method]) => ({ ...draft, method, note: `method ${method}` }));
}

const ODD_CONTENT_TYPES = [
  "text/plain",
  "application/xml",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/vnd.x+json",
  "multipart/form-data",
  "application/x-www-form-urlencoded",
  "",
  "a/b/c",
  "json",
  ";;;",
];
const ODD_BODIES = ['"a string"', "not json", "", "null", "[]", "{", "1e400", "a=1&b=2", "--x\r\n\r\n--x--", "\u00ff\u00fe", '{"a":1}{"b":2}', '{"a":1,"a":2}'];

function oddContentTypeDraft(op: FuzzOperation): fc.Arbitrary<Draft> {
  return fc
    .tuple(validDraft(op), fc.constantFrom(...ODD_CONTENT_TYPES), fc.oneof(fc.constant(undefined), fc.constantFrom(...ODD_BODIES)))
    .map(([draft, contentType, text]) => ({
      ...draft,
      contentType,
      bodyText: text ?? (draft.envelope.body === undefined ? "{}" : JSON.stringify(draft.envelope.body)),
      note: `content-type ${JSON.stringify(contentType)}, body ${JSON.stringify(text ?? "(valid)")}`,
    }));
}

// ------------------------------------------------------------------ onto the wires

/** The envelope JSON text for a draft (body text spliced in as is). */
function envelopeText(draft: Draft): string {
  const e: RestRequest = { ...draft.envelope, method: draft.method };
  if (draft.contentType !== undefined) e.headers = { ...e.headers, "content-type": draft.contentType };
  if (draft.bodyText === undefined) return JSON.stringify(e);
  const { body: _body, ...rest } = e;
  // JSON bodies are values in the envelope; anything else a string (what the gateway forwards).
  const json = draft.contentType === undefined || /json/i.test(draft.contentType);
  let valid = json;
  if (json && draft.bodyText.length < 4096) {
    try {
      JSON.parse(draft.bodyText);
    } catch {
      valid = false;
    }
  }
  return JSON.stringify(rest).replace(/\}$/, `,"body":${valid ? draft.bodyText : JSON.stringify(draft.bodyText)}}`);
}

function natsCase(op: FuzzOperation, index: number, kind: CaseKind, draft: Draft): NatsCase {
  let text = envelopeText(draft);
  // The url and path repeat the parameters: left out (both optional) when they alone would overflow the message.
  if (Buffer.byteLength(text) > MAX_PAYLOAD - 4096) {
    const { url: _u, path: _p, ...rest } = draft.envelope;
    text = envelopeText({ ...draft, envelope: rest as RestRequest });
  }
  return {
    transport: "nats",
    index,
    kind,
    note: draft.note,
    op,
    subject: `cirata.extensions.${op.target.prefix}.${op.model.endpoint}`,
    payload: Buffer.from(text),
  };
}

/** Header values HTTP cannot carry (control characters, beyond Latin-1) are sent percent-encoded. */
const httpSafe = (value: string) => (/^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? value : encode(value));

function httpCase(op: FuzzOperation, index: number, kind: CaseKind, draft: Draft): HttpCase {
  const e = draft.envelope;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.headers)) if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) headers[k] = httpSafe(v);
  let body: Uint8Array | undefined;
  if (draft.bodyText !== undefined) body = Buffer.from(draft.bodyText);
  else if (e.body !== undefined) body = Buffer.from(JSON.stringify(e.body));
  if (draft.contentType !== undefined) headers["content-type"] = httpSafe(draft.contentType);
  if (body === undefined) delete headers["content-type"];
  return {
    transport: "gateway",
    index,
    kind,
    note: draft.note,
    op,
    method: draft.method,
    target: e.url,
    headers,
    body,
  };
}

// ------------------------------------------------------------------ transport-only kinds

const FIELDS = ["method", "url", "path", "headers", "path_params", "query_params", "body_encoding"];

/** Envelopes that are not one: garbage bytes, non-objects, fields of the wrong type, broken UTF-8, stray encodings. */
function malformedCase(op: FuzzOperation, index: number): fc.Arbitrary<NatsCase> {
  const subject = `cirata.extensions.${op.target.prefix}.${op.model.endpoint}`;
  const of = (payload: Uint8Array, note: string): NatsCase => ({
    transport: "nats",
    index,
    kind: "malformed-envelope",
    note,
    op,
    subject,
    payload,
  });
  const text = (s: string) => Buffer.from(s);
  return fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((bytes) => of(bytes, `${bytes.length} random bytes`)),
    fc
      .constantFrom("", "null", "[]", "1", '"x"', "true", "{", "{}", "\ufeff{}", '{"method":"GET"}garbage', "[{}]", "1e400")
      .map((s) => of(text(s), `payload ${JSON.stringify(s)}`)),
    fc.tuple(validDraft(op), fc.constantFrom(...FIELDS), fc.constantFrom(...WRONG_FIELD_VALUES)).map(([draft, field, value]) => {
      const e = { ...draft.envelope } as Record<string, unknown>;
      e[field] = value;
      return of(text(JSON.stringify(e)), `field ${field} = ${JSON.stringify(value)}`);
    }),
    validDraft(op).map((draft) => {
      const json = Buffer.from(JSON.stringify({ ...draft.envelope, path: "\u0001" }));
      const at = json.indexOf("\u0001");
      json[at] = 0xff; // a byte that is never UTF-8
      return of(json, "invalid UTF-8 in path");
    }),
    fc.tuple(validDraft(op), fc.constantFrom("base64", "gzip", "BASE64", ""), fc.constantFrom("!!!", "AAA", "", "aGk=", "=")).map(([draft, encoding, body]) =>
      of(
        text(
          JSON.stringify({
            ...draft.envelope,
            body,
            body_encoding: encoding,
          }),
        ),
        `body_encoding ${encoding} with body ${JSON.stringify(body)}`,
      ),
    ),
    fc.tuple(validDraft(op), fc.constantFrom("header", "query")).map(([draft, where]) => {
      // The same key twice in a map: JSON.parse keeps the last one.
      const key = where === "header" ? '"headers":{' : '"query_params":{';
      const json = JSON.stringify(draft.envelope).replace(key, `${key}"a":"1","a":"2",`).replace(/,\}/g, "}");
      return of(text(json), `duplicate ${where} key`);
    }),
  );
}

const ODD_PATHS: ((prefix: string, target: string) => string)[] = [
  (p, t) => `/api/${p}/${t}`,
  (p, t) => `/api//${p}${t}`,
  (p, t) => `//api/${p}${t}`,
  (p, t) => `/api/${p}${t.replace(/\//g, "//")}`,
  (p, t) => `/api/${p}${t.replace(/\//g, "%2F")}`,
  (p, t) => `/api/${p}${t}/`,
  (p, t) => `/api/${p}${t}/.`,
  (p, t) => `/api/${p}${t}/..`,
  (p, t) => `/api/${p}/..${t}`,
  (p, t) => `/api/${p}${t}%00`,
  (p, t) => `/api/${p}${t}%ZZ`,
  (p, t) => `/api/${p}${t}%C0%AF`,
  (p, t) => `/api/${p}${t.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
  (p, t) => `/api/${p.toUpperCase()}${t}`,
  (p, t) => `/api/${p}${t}?${"&".repeat(5)}=&a=%&%=b&a[=1`,
  (p, t) => `/api/${p}${t}#fragment`,
  (p, t) => `/api/${p}${t}/${"x".repeat(8000)}`,
  (p, t) => `/api/%2e%2e/${p}${t}`,
  (p) => `/api/${p}`,
  () => `/api/`,
  () => `/api`,
  () => `/api/no-such-prefix/x`,
  () => `/api/${"😀"}/x`.replace("😀", "%F0%9F%98%80"),
  (p, t) => `/api/${p}${t}?${"q=1&".repeat(2000)}`,
];

function oddPathCase(op: FuzzOperation, index: number): fc.Arbitrary<HttpCase> {
  return fc.tuple(validDraft(op), fc.nat(ODD_PATHS.length - 1), fc.constantFrom(...METHODS.filter((m) => m !== "HEAD"))).map(([draft, which, method]) => {
    const c = httpCase(op, index, "odd-path", draft);
    const target = ODD_PATHS[which]!(op.target.prefix, c.target);
    return {
      ...c,
      method: which % 3 === 0 ? method : c.method,
      target,
      absolute: true,
      note: `target ${JSON.stringify(target.length > 120 ? target.slice(0, 120) + "…" : target)}`,
    };
  });
}

// ------------------------------------------------------------------ the case for an index

const KIND_WEIGHTS: Record<Transport, [CaseKind, number][]> = {
  nats: [
    ["valid", 20],
    ["mutant-value", 20],
    ["raw-string", 12],
    ["missing", 5],
    ["hostile-names", 15],
    ["huge", 2],
    ["deep-nesting", 2],
    ["malformed-envelope", 10],
    ["wrong-method", 5],
    ["odd-content-type", 4],
  ],
  gateway: [
    ["valid", 20],
    ["mutant-value", 20],
    ["raw-string", 12],
    ["missing", 5],
    ["hostile-names", 15],
    ["huge", 2],
    ["deep-nesting", 2],
    ["wrong-method", 5],
    ["odd-path", 8],
    ["odd-content-type", 6],
  ],
};

const DRAFTS: Partial<Record<CaseKind, (op: FuzzOperation) => fc.Arbitrary<Draft>>> = {
  valid: validDraft,
  "mutant-value": mutantDraft,
  "raw-string": rawStringDraft,
  missing: missingDraft,
  "hostile-names": hostileDraft,
  huge: hugeDraft,
  "deep-nesting": deepDraft,
  "wrong-method": wrongMethodDraft,
  "odd-content-type": oddContentTypeDraft,
};

/** Arbitraries per case kind and operation, built once per operation list (building them is most of a case's cost). */
const built = new WeakMap<FuzzOperation[], Record<Transport, fc.Arbitrary<FuzzCase>>>();

function caseArb(ops: FuzzOperation[], transport: Transport): fc.Arbitrary<FuzzCase> {
  let arbs = built.get(ops);
  if (!arbs) {
    const of = (t: Transport) => {
      const perOp = ops.map((op) =>
        KIND_WEIGHTS[t].map(([kind, weight]) => {
          let arbitrary: fc.Arbitrary<FuzzCase>;
          if (kind === "malformed-envelope") arbitrary = malformedCase(op, -1);
          else if (kind === "odd-path") arbitrary = oddPathCase(op, -1);
          else arbitrary = DRAFTS[kind]!(op).map((draft) => (t === "nats" ? natsCase(op, -1, kind, draft) : httpCase(op, -1, kind, draft)));
          return { weight, arbitrary };
        }),
      );
      return fc.nat(ops.length - 1).chain((i) => fc.oneof(...perOp[i]!));
    };
    arbs = { nats: of("nats"), gateway: of("gateway") };
    built.set(ops, arbs);
  }
  return arbs[transport];
}

/** A deterministic 32-bit seed per case, so that case `index` of `seed` can be generated alone. */
function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

/** Case `index` of a run: three in five over NATS straight to the service, two through the gateway. */
export function generateCase(ops: FuzzOperation[], seed: number, index: number): FuzzCase {
  const transport: Transport = index % 5 < 3 ? "nats" : "gateway";
  // NATS cannot carry an envelope over max_payload (the client refuses to send it): such a draft is
  // drawn again, from the next seed of the same case (the gateway gets those, and answers 413).
  for (let attempt = 0; ; attempt++) {
    const c = fc.sample(caseArb(ops, transport), {
      seed: caseSeed(seed + attempt, index),
      numRuns: 1,
    })[0]!;
    if (c.transport === "gateway" || c.payload.length <= MAX_PAYLOAD || attempt === 20) return { ...c, index };
  }
}
