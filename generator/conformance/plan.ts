/**
 * Cases per operation, in order: the spec's examples, then `runs` valid requests from the schemas
 * (fast-check arbitraries from generator/arbitraries.ts), then one invalid request per parameter and
 * per body field. Case `index` of operation `id` under `seed` is always the same request (its own
 * seed), so `--operation id --seed s --case index` replays it alone and fast-check can shrink it.
 * Validity is judged on what the service will read: each parameter is serialised by the runtime's
 * client, read back by the runtime's parameter reader and checked by the reference validator.
 */
import fc from "fast-check";
import { buildEnvelope, paramReader, parseCookies, UnreadableParam, type ClientInput, type ParamReader, type RestRequest } from "@symphony-codegen/runtime";
import { getPointer, resolveRef, type JsonSchema, type ParameterModel } from "../model.js";
import type { ConformanceApi, ConformanceOp } from "./api.js";

export type CaseKind = "example" | "valid" | "invalid" | "link";

/** A parameter or body field an invalid case breaks, which the 4xx answer must name. */
export interface Field {
  in: "path" | "query" | "header" | "cookie" | "body";
  /** Parameter name, or the body member's name. */
  name: string;
  /** Body fields: the JSON pointer the problem's error must name (or lie under); "" for the body as a whole. */
  pointer?: string;
}

export interface Case {
  op: ConformanceOp;
  index: number;
  kind: CaseKind;
  note: string;
  input: ClientInput;
  /** For invalid cases: the field the answer must name. */
  invalid?: Field;
  /** The arbitrary and seed the input was drawn from (fast-check shrinks from there). */
  arb?: fc.Arbitrary<ClientInput>;
  seed?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const BAG = { path: "path", query: "query", header: "headers", cookie: "cookies" } as const;

/** A deterministic 32-bit seed per (seed, operation, case). */
export function caseSeed(seed: number, opId: string, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < opId.length; i++) h = Math.imul(h ^ opId.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

export const sampleOne = <T>(arb: fc.Arbitrary<T>, seed: number): T => fc.sample(arb, { seed, numRuns: 1 })[0]!;

// ------------------------------------------------------------------ validity on the wire

const readers = new WeakMap<ConformanceOp, ParamReader[]>();

function readersOf(op: ConformanceOp): ParamReader[] {
  let r = readers.get(op);
  if (!r) {
    const declaredQuery = new Set(op.spec.params.filter((p) => p.in === "query").map((p) => p.name));
    readers.set(op, (r = op.spec.params.map((p) => paramReader(p, declaredQuery))));
  }
  return r;
}

/** The envelope of an input, or undefined when the client cannot serialise it. */
export function envelopeOf(op: ConformanceOp, input: ClientInput): RestRequest | undefined {
  let envelope: RestRequest;
  try {
    envelope = buildEnvelope(op.spec, input);
  } catch {
    return undefined;
  }
  // The query map as a gateway builds it from the URL (one value a string, repeated ones a list), so
  // that NATS and HTTP carry the same request (the client keeps a one-item list a list).
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(envelope.url.split("?")[1] ?? "")) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { ...envelope, query_params: query };
}

const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * Whether HTTP can carry the envelope's parameters as written: a path segment that is empty, `.` or
 * `..` is routed elsewhere (URLs are normalised), a header value is trimmed and must be visible ASCII.
 * Cases are drawn only from inputs that survive the trip, so both transports get the same request.
 */
function representable(op: ConformanceOp, envelope: RestRequest): boolean {
  for (const p of op.model.parameters) {
    if (p.in === "path" && ["", ".", ".."].includes(envelope.path_params[p.name] ?? "x")) return false;
    const header = p.in === "header" ? envelope.headers[p.name.toLowerCase()] : undefined;
    if (header !== undefined && !HEADER_VALUE.test(header)) return false;
  }
  return true;
}

/** Why parameter `i` of the envelope is not valid as the service will read it (undefined: valid or absent). */
function paramProblem(api: ConformanceApi, op: ConformanceOp, envelope: RestRequest, i: number): string | undefined {
  const p = op.model.parameters[i]!;
  const value = readersOf(op)[i]!(envelope, parseCookies(envelope.headers.cookie));
  if (value === undefined) return p.required ? "missing" : undefined;
  if (value instanceof UnreadableParam) return value.message;
  return api.reference.validator(p.schema, "request")(value) ? undefined : "invalid";
}

/** The envelope of an input HTTP can carry as written, else undefined. */
function wireEnvelope(op: ConformanceOp, input: ClientInput): RestRequest | undefined {
  const envelope = envelopeOf(op, input);
  return envelope && representable(op, envelope) ? envelope : undefined;
}

function bodySchema(op: ConformanceOp): JsonSchema | undefined {
  const media = op.model.requestBody?.content[0];
  return media ? (media.schema ?? true) : undefined;
}

/** True when every parameter and the body are valid as the service reads them. */
export function isValidInput(api: ConformanceApi, op: ConformanceOp, input: ClientInput): boolean {
  const envelope = wireEnvelope(op, input);
  if (!envelope) return false;
  if (op.model.parameters.some((_, i) => paramProblem(api, op, envelope, i) !== undefined)) return false;
  const schema = bodySchema(op);
  if (schema === undefined) return true;
  if (input.body === undefined) return !op.model.requestBody!.required;
  return api.reference.validator(schema, "request")(input.body);
}

// ------------------------------------------------------------------ arbitraries

type Replace = { param: number; by: fc.Arbitrary<unknown> | "missing" } | { body: fc.Arbitrary<unknown> };

/** Valid values for every parameter (optional ones two times in three) and the body, one of them replaced when asked. */
function rawInputArb(api: ConformanceApi, op: ConformanceOp, replace?: Replace): fc.Arbitrary<ClientInput> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  op.model.parameters.forEach((p, i) => {
    const valid = api.gen.valid(p.schema);
    if (replace && "param" in replace && replace.param === i) parts[i] = replace.by === "missing" ? fc.constant(undefined) : replace.by;
    else parts[i] = p.required ? valid : fc.option(valid, { nil: undefined, freq: 3 });
  });
  const schema = bodySchema(op);
  if (replace && "body" in replace) parts.body = replace.body;
  else if (schema !== undefined)
    parts.body = op.model.requestBody!.required ? api.gen.valid(schema) : fc.option(api.gen.valid(schema), { nil: undefined, freq: 3 });
  return fc.record(parts).map((values) => {
    const input: ClientInput = { path: {}, query: {}, headers: {}, cookies: {} };
    op.model.parameters.forEach((p, i) => {
      if (values[i] !== undefined) (input[BAG[p.in]] as Obj)[p.name] = values[i];
    });
    if (values.body !== undefined) input.body = values.body;
    return input;
  });
}

export function validArb(api: ConformanceApi, op: ConformanceOp): fc.Arbitrary<ClientInput> {
  return rawInputArb(api, op).filter((input) => isValidInput(api, op, input));
}

/** The object members of a body schema ($refs and allOf followed), with which are required. */
function members(api: ConformanceApi, schema: unknown, depth = 0): { properties: Obj; required: Set<string> } {
  const s = resolveRef<Obj>(api.model.document, schema);
  const out = { properties: {} as Obj, required: new Set<string>() };
  if (!isObj(s) || depth > 8) return out;
  if (isObj(s.properties)) Object.assign(out.properties, s.properties);
  if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === "string") out.required.add(r);
  if (Array.isArray(s.allOf))
    for (const part of s.allOf) {
      const m = members(api, part, depth + 1);
      Object.assign(out.properties, m.properties);
      m.required.forEach((r) => out.required.add(r));
    }
  return out;
}

const escapeToken = (name: string) => name.replace(/~/g, "~0").replace(/\//g, "~1");

interface InvalidPlan {
  field: Field;
  note: string;
  arb: fc.Arbitrary<ClientInput>;
}

/** One invalid input per parameter and per body field (or for the body as a whole when it has no members). */
function invalidPlans(api: ConformanceApi, op: ConformanceOp): InvalidPlan[] {
  const plans: InvalidPlan[] = [];
  const paramInvalid = (i: number) => (input: ClientInput) => {
    const envelope = wireEnvelope(op, input);
    if (!envelope || paramProblem(api, op, envelope, i) === undefined) return false;
    // Every other value valid: the answer can only be about this one.
    const others = op.model.parameters.every((_, j) => j === i || paramProblem(api, op, envelope, j) === undefined);
    const schema = bodySchema(op);
    return (
      others && (schema === undefined || input.body === undefined ? !op.model.requestBody?.required : api.reference.validator(schema, "request")(input.body))
    );
  };
  op.model.parameters.forEach((p: ParameterModel, i) => {
    const field: Field = { in: p.in, name: p.name };
    const mutant = rawInputArb(api, op, { param: i, by: api.gen.mutant(p.schema) });
    const missing = rawInputArb(api, op, { param: i, by: "missing" });
    if (feasible(mutant, paramInvalid(i))) plans.push({ field, note: `invalid ${p.in} parameter ${p.name}`, arb: mutant.filter(paramInvalid(i)) });
    else if (p.required && p.in !== "path" && feasible(missing, paramInvalid(i)))
      plans.push({ field, note: `${p.in} parameter ${p.name} missing`, arb: missing.filter(paramInvalid(i)) });
  });
  const schema = bodySchema(op);
  if (schema === undefined) return plans;
  const paramsValid = (input: ClientInput) => {
    const envelope = wireEnvelope(op, input);
    return envelope !== undefined && op.model.parameters.every((_, j) => paramProblem(api, op, envelope, j) === undefined);
  };
  const bodyInvalid = (input: ClientInput) => input.body !== undefined && paramsValid(input) && !api.reference.validator(schema, "request")(input.body);
  const { properties, required } = members(api, schema);
  const names = Object.keys(properties).filter((n) => n !== "__proto__");
  const validBody = api.gen.valid(schema).filter((b) => api.reference.validator(schema, "request")(b));
  for (const name of names) {
    const field: Field = { in: "body", name, pointer: `/${escapeToken(name)}` };
    const replaced = (by: fc.Arbitrary<unknown>) => rawInputArb(api, op, { body: by });
    const mutant = replaced(fc.tuple(validBody, api.gen.mutant(properties[name])).map(([b, m]) => (isObj(b) ? { ...b, [name]: m } : b)));
    const missing = replaced(validBody.map((b) => (isObj(b) ? Object.fromEntries(Object.entries(b).filter(([k]) => k !== name)) : b)));
    if (feasible(mutant, bodyInvalid)) plans.push({ field, note: `invalid body field ${name}`, arb: mutant.filter(bodyInvalid) });
    else if (required.has(name) && feasible(missing, bodyInvalid)) plans.push({ field, note: `body field ${name} missing`, arb: missing.filter(bodyInvalid) });
  }
  // A required body left out: the answer must be about the body.
  const noBody = rawInputArb(api, op, { body: fc.constant(undefined) });
  if (op.model.requestBody!.required && feasible(noBody, paramsValid))
    plans.push({ field: { in: "body", name: "body", pointer: "" }, note: "required body missing", arb: noBody.filter(paramsValid) });
  if (names.length === 0) {
    const mutant = rawInputArb(api, op, { body: api.gen.mutant(schema) });
    if (feasible(mutant, bodyInvalid)) plans.push({ field: { in: "body", name: "body", pointer: "" }, note: "invalid body", arb: mutant.filter(bodyInvalid) });
  }
  return plans;
}

/** Whether `arb` draws inputs passing `pred` at all (a filter that never passes would spin forever). */
function feasible(arb: fc.Arbitrary<ClientInput>, pred: (input: ClientInput) => boolean): boolean {
  return fc.sample(arb, { seed: 1, numRuns: 150 }).some(pred);
}

// ------------------------------------------------------------------ examples

/** The values an OpenAPI object offers as examples: `example`, then each of `examples`' values. */
function examplesOf(document: unknown, holder: unknown): unknown[] {
  const h = resolveRef<Obj>(document, holder);
  if (!isObj(h)) return [];
  const out: unknown[] = [];
  if ("example" in h) out.push(h.example);
  if (isObj(h.examples))
    for (const e of Object.values(h.examples)) {
      const ex = resolveRef<Obj>(document, e);
      if (isObj(ex) && "value" in ex) out.push(ex.value);
    }
  return out;
}

/** A schema's own example, or an object made of its members' examples when every required one has one. */
function schemaExample(api: ConformanceApi, schema: unknown): unknown[] {
  const own = examplesOf(api.model.document, schema);
  if (own.length > 0) return own;
  const { properties, required } = members(api, schema);
  const value: Obj = {};
  for (const [name, prop] of Object.entries(properties)) {
    const ex = examplesOf(api.model.document, prop);
    if (ex.length > 0) value[name] = ex[0];
  }
  return Object.keys(value).length > 0 && [...required].every((r) => r in value) ? [value] : [];
}

/** The raw parameter objects of an operation (its own and its path item's), by `in` and name. */
function rawParameters(api: ConformanceApi, op: ConformanceOp): Map<string, unknown> {
  const doc = api.model.document;
  const at = op.model.pointer;
  const item = getPointer(doc, at.slice(0, at.lastIndexOf("/")));
  const operation = getPointer(doc, at);
  const out = new Map<string, unknown>();
  for (const holder of [item, operation]) {
    const list = isObj(holder) && Array.isArray(holder.parameters) ? holder.parameters : [];
    for (const raw of list) {
      const p = resolveRef<Obj>(doc, raw);
      if (isObj(p)) out.set(`${String(p.in)} ${String(p.name)}`, p);
    }
  }
  return out;
}

/** Inputs made of the spec's examples (values without one drawn valid), one per body example. */
function exampleInputs(api: ConformanceApi, op: ConformanceOp, fill: ClientInput): ClientInput[] {
  const raw = rawParameters(api, op);
  const input: ClientInput = { path: { ...fill.path }, query: { ...fill.query }, headers: { ...fill.headers }, cookies: { ...fill.cookies } };
  let found = false;
  for (const p of op.model.parameters) {
    const ex = [...examplesOf(api.model.document, raw.get(`${p.in} ${p.name}`)), ...examplesOf(api.model.document, p.schema)];
    if (ex.length === 0) continue;
    (input[BAG[p.in]] as Obj)[p.name] = ex[0];
    found = true;
  }
  const media = op.model.requestBody?.content[0];
  if (!media) return found ? [input] : [];
  const at = op.model.pointer;
  const operation = getPointer(api.model.document, at);
  const body = isObj(operation) ? resolveRef<Obj>(api.model.document, operation.requestBody) : undefined;
  const rawMedia = isObj(body) && isObj(body.content) ? body.content[media.contentType] : undefined;
  const bodies = [...examplesOf(api.model.document, rawMedia), ...(media.schema !== undefined ? schemaExample(api, media.schema) : [])];
  if (bodies.length === 0) return found ? [{ ...input, body: fill.body }] : [];
  return bodies.slice(0, 5).map((b) => ({ ...input, body: b }));
}

// ------------------------------------------------------------------ the plan

export interface PlanOptions {
  seed: number;
  runs: number;
  /** Warnings (an invalid value no generator finds) go here, not into the report. */
  warn: (message: string) => void;
}

/** Every case of one operation, numbered from 0. */
export function planOperation(api: ConformanceApi, op: ConformanceOp, options: PlanOptions): Case[] {
  const cases: Case[] = [];
  const valid = validArb(api, op);
  const add = (c: Omit<Case, "op" | "index">) => cases.push({ op, index: cases.length, ...c });
  const fill = sampleOne(valid, caseSeed(options.seed, op.id, -1));
  for (const input of exampleInputs(api, op, fill)) add({ kind: "example", note: "the spec's examples", input });
  for (let i = 0; i < options.runs; i++) {
    const seed = caseSeed(options.seed, op.id, cases.length);
    add({ kind: "valid", note: "valid values", input: sampleOne(valid, seed), arb: valid, seed });
  }
  const plans = invalidPlans(api, op);
  for (const p of op.model.parameters) {
    if (!plans.some((x) => x.field.in === p.in && x.field.name === p.name))
      options.warn(`${op.id}: no invalid value found for ${p.in} parameter ${p.name} (every value drawn reads as valid on the wire)`);
  }
  for (const plan of plans) {
    const seed = caseSeed(options.seed, op.id, cases.length);
    add({ kind: "invalid", note: plan.note, input: sampleOne(plan.arb, seed), invalid: plan.field, arb: plan.arb, seed });
  }
  return cases;
}
