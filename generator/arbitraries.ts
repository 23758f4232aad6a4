/**
 * Instances of a JSON Schema from fast-check arbitraries (the differential and fuzz tests, and the
 * `test` and `mock` commands):
 * `validArb` aims at values the schema accepts ("valid-ish": the reference decides),
 * `mutantArb` at near misses (boundaries, wrong types, missing or extra properties, format
 * look-alikes, astral characters around length limits, reordered object keys in enums…).
 * Arbitraries are built lazily, so wide recursive schemas cost only what is sampled.
 */
import fc from "fast-check";
import { getPointer, VisibilityIndex, type Visibility } from "./model.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const MAX_DEPTH = 5;

export interface GenContext {
  document: unknown;
  is30: boolean;
  /**
   * Values a person would read (the mock server's answers): letters and digits in strings, numbers
   * with at most two decimals near zero, no properties the schema does not name. Off: the whole
   * range, astral and control characters included (the tests' near-valid inputs).
   */
  plain?: boolean;
  /** Properties marked with this are left out: a response carries no writeOnly ones, a request no readOnly ones. */
  omit?: Visibility;
}

const PLAIN_UNIT = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");

function lazy<T>(build: () => fc.Arbitrary<T>): fc.Arbitrary<T> {
  let built: fc.Arbitrary<T> | undefined;
  return fc.constant(null).chain(() => (built ??= build()));
}

const SAFE_KEY = fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__");

const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 8 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(SAFE_KEY, tie("value"), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

const WRONG_TYPES: unknown[] = [null, 0, -1, 1.5, "", "x", "123", "true", true, false, [], [1], {}, { a: 1 }];

/** Valid and near-miss strings for the formats ajv-formats knows (and a few OpenAPI ones). */
export const FORMAT_SAMPLES: Record<string, { valid: string[]; invalid: string[] }> = {
  "date-time": {
    valid: ["2024-02-29T10:20:30Z", "2023-01-01T00:00:00.123+02:00", "1999-12-31T23:59:60Z", "2024-06-01t12:00:00z", "2024-06-01 12:00:00Z", "2024-06-01T12:00:00+0100", "2024-06-01T12:00:00+01"],
    invalid: ["2023-02-29T10:20:30Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:00:00", "2024-01-01", "2024-01-01T10:00Z", "2024-01-01T12:00:60Z", "2024-01-01T10:00:00+24:00", "2024-01-01TT10:00:00Z", "now"],
  },
  date: {
    valid: ["2024-02-29", "2000-02-29", "1970-01-01"],
    invalid: ["2023-02-29", "1900-02-29", "2024-1-01", "20240101", "2024-01-01T00:00:00Z", "2024-00-10", "2024-04-31"],
  },
  time: {
    valid: ["10:20:30Z", "23:59:60Z", "10:20:30.5+01:00", "10:20:30-0530", "10:20:30+01", "22:59:60-01:00"],
    invalid: ["10:20:30", "10:20", "24:00:00Z", "10:60:00Z", "10:20:60Z", "10:20:30+25:00", "1:2:3Z"],
  },
  uuid: {
    valid: ["123e4567-e89b-12d3-a456-426614174000", "urn:uuid:123E4567-E89B-12D3-A456-426614174000", "00000000-0000-0000-0000-000000000000"],
    invalid: ["123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400", "{123e4567-e89b-12d3-a456-426614174000}", "g23e4567-e89b-12d3-a456-426614174000"],
  },
  email: {
    valid: ["a@b.co", "first.last+tag@example.com", "A@B.CO", "x@localhost.localdomain", "a@b.c"],
    invalid: ["a@b", "a..b@c.de", "a b@c.de", "@b.co", "a@-b.co", "a@b-.co", ".a@b.co", "a@b.co."],
  },
  uri: {
    valid: ["http://example.com/a?b=c#d", "mailto:a@b.co", "urn:isbn:0451450523", "http://[::1]:80/", "file:///tmp/x", "x:/y"],
    invalid: ["/relative/path", "example.com", "http://a b.com", "http://exa mple.com", "1http://x.y", "", "ht tp://x"],
  },
  "uri-reference": { valid: ["/a/b", "http://x.y/z", "#frag", "", "a?b"], invalid: ["\\\\x", "a b", "http://x y"] },
  url: {
    valid: ["http://example.com", "https://a.b.co/path?q=1", "ftp://x.example.org"],
    invalid: ["mailto:a@b.co", "http://localhost", "http://10.0.0.1", "example.com", "http://x"],
  },
  hostname: {
    valid: ["example.com", "a", "a-b.c", "example.com.", "xn--bcher-kva.example"],
    invalid: ["-a.com", "a-.com", "a..b", "a_b.com", "a".repeat(64) + ".com", ""],
  },
  ipv4: { valid: ["1.2.3.4", "255.255.255.255", "0.0.0.0"], invalid: ["256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.4 "] },
  ipv6: { valid: ["::1", "::", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"], invalid: ["1.2.3.4", ":::", "1::2::3", "fe80::1%eth0", "12345::", "1:2:3:4:5:6:7:8:9"] },
  byte: { valid: ["", "AAAA", "AA==", "aGVsbG8=", "+/+/"], invalid: ["A===", "AAA", "aGVsbG8", "a b=", "!!!\nAAAA", "AAAA\n"] },
  regex: { valid: ["^a+$", "[a-z]", "(?<n>x)"], invalid: ["(", "a\\Z", "[", "*a"] },
  "json-pointer": { valid: ["", "/a/b", "/a~0b~1c"], invalid: ["a", "/a~2", "#/a"] },
  "relative-json-pointer": { valid: ["0", "1/a", "2#"], invalid: ["/a", "-1", "01"] },
  duration: { valid: ["P1D", "PT1H", "P1Y2M3DT4H5M6S", "P2W"], invalid: ["P", "PT", "1D", "P1H", "P1W2D"] },
  "uri-template": { valid: ["http://x/{id}", "/a{?b,c}"], invalid: ["/a{", "/a}b{"] },
  password: { valid: ["secret"], invalid: [] },
  binary: { valid: ["\u0000\u00ff"], invalid: [] },
};

const NUMBER_FORMATS: Record<string, number[]> = {
  int32: [2147483647, -2147483648, 2147483648, -2147483649, 1.5],
  int64: [9007199254740991, 9007199254740992, 2 ** 63, -(2 ** 63), 1e300, 1.5],
  float: [3.4e38, 1e300, 0.1],
  double: [1.7e308, -0.5],
};

export class Generator {
  constructor(private readonly ctx: GenContext) {}

  #resolve(schema: unknown, seen = 0): Obj | boolean | undefined {
    if (typeof schema === "boolean") return schema;
    if (!isObj(schema)) return undefined;
    if (typeof schema.$ref === "string" && schema.$ref.startsWith("#") && seen < 8) {
      const target = this.#resolve(getPointer(this.ctx.document, schema.$ref), seen + 1);
      const { $ref: _ref, ...siblings } = schema;
      if (this.ctx.is30 || Object.keys(siblings).length === 0) return this.ctx.is30 && schema.nullable === true && isObj(target) ? { ...target, nullable: true } : target;
      return isObj(target) ? merge(target, siblings) : siblings;
    }
    return schema;
  }

  #types(s: Obj): string[] {
    let types: string[];
    if (typeof s.type === "string") types = [s.type];
    else if (Array.isArray(s.type)) types = s.type.filter((t): t is string => typeof t === "string");
    else {
      types = [];
      if (["properties", "additionalProperties", "required", "minProperties", "maxProperties", "patternProperties"].some((k) => k in s)) types.push("object");
      if (["items", "prefixItems", "minItems", "maxItems", "uniqueItems"].some((k) => k in s)) types.push("array");
      if (["minLength", "maxLength", "pattern", "format"].some((k) => k in s)) types.push("string");
      if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].some((k) => k in s)) types.push("number");
    }
    if (this.ctx.is30 && s.nullable === true) types.push("null");
    return types;
  }

  valid(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    return lazy(() => this.#valid(schema, depth));
  }

  #valid(schema: unknown, depth: number): fc.Arbitrary<unknown> {
    const s = this.#resolve(schema);
    if (s === undefined || s === true) return depth > MAX_DEPTH ? fc.constant(null) : anyJson;
    if (s === false) return fc.constant(null);
    if (depth > MAX_DEPTH) return fc.constantFrom(null, {}, [], "", 0);
    // A person's values: the schema's own examples, mostly.
    const examples = this.ctx.plain ? (Array.isArray(s.examples) ? s.examples : s.example !== undefined ? [s.example] : []) : [];
    if (examples.length > 0) {
      const generated = this.valid({ ...s, examples: undefined, example: undefined }, depth);
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...examples) }, { weight: 1, arbitrary: generated });
    }
    const nullable = this.ctx.is30 && s.nullable === true;
    const withNull = (a: fc.Arbitrary<unknown>) => (nullable ? fc.oneof({ weight: 5, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) }) : a);
    if (Array.isArray(s.enum) && s.enum.length > 0) return withNull(fc.constantFrom(...s.enum));
    if ("const" in s) return fc.constant(s.const);
    if (Array.isArray(s.allOf) && s.allOf.length > 0) {
      const { allOf, ...rest } = s;
      const parts = allOf.map((p) => this.#resolve(p)).filter(isObj);
      return this.valid(parts.reduce((a, b) => merge(a, b), rest as Obj), depth + 1);
    }
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const options = s[keyword];
      if (!Array.isArray(options) || options.length === 0) continue;
      const { [keyword]: _drop, discriminator, ...rest } = s;
      const arbs = options.map((option) => {
        let o = this.#resolve(option);
        if (!isObj(o)) return this.valid(o, depth + 1);
        const d = isObj(discriminator) ? discriminator : undefined;
        const tag = typeof d?.propertyName === "string" ? d.propertyName : undefined;
        if (tag && isObj(option) && typeof option.$ref === "string") {
          const explicit = isObj(d?.mapping) ? Object.entries(d.mapping).find(([, t]) => t === option.$ref || `#/components/schemas/${t}` === option.$ref)?.[0] : undefined;
          const value = explicit ?? option.$ref.split("/").pop()!.replace(/~1/g, "/").replace(/~0/g, "~");
          o = merge(o, { type: "object", properties: { [tag]: { const: value } }, required: [tag] });
        }
        return this.valid(merge(rest as Obj, o), depth + 1);
      });
      return withNull(fc.oneof(...arbs));
    }
    const types = this.#types(s);
    if (types.length === 0) return anyJson;
    return fc.oneof(...[...new Set(types)].map((t) => this.#ofType(s, t, depth)));
  }

  #ofType(s: Obj, type: string, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
      case "number":
        return this.#number(s, type === "integer");
      case "string":
        return this.#string(s);
      case "array":
        return this.#array(s, depth);
      case "object":
        return this.#object(s, depth);
      default:
        return anyJson;
    }
  }

  #bounds(s: Obj): { min?: number; max?: number; minExcluded: boolean; maxExcluded: boolean } {
    let min = typeof s.minimum === "number" ? s.minimum : undefined;
    let max = typeof s.maximum === "number" ? s.maximum : undefined;
    let minExcluded = s.exclusiveMinimum === true;
    let maxExcluded = s.exclusiveMaximum === true;
    if (typeof s.exclusiveMinimum === "number" && (min === undefined || s.exclusiveMinimum >= min)) [min, minExcluded] = [s.exclusiveMinimum, true];
    if (typeof s.exclusiveMaximum === "number" && (max === undefined || s.exclusiveMaximum <= max)) [max, maxExcluded] = [s.exclusiveMaximum, true];
    return { min, max, minExcluded, maxExcluded };
  }

  #number(s: Obj, integer: boolean): fc.Arbitrary<unknown> {
    const { min, max, minExcluded, maxExcluded } = this.#bounds(s);
    const step = typeof s.multipleOf === "number" && s.multipleOf > 0 ? s.multipleOf : integer ? 1 : undefined;
    const arbs: fc.Arbitrary<unknown>[] = [];
    if (step !== undefined) {
      const lo = min === undefined ? -1000 : Math.ceil(min / step) + (minExcluded && Number.isInteger(min / step) ? 1 : 0);
      const hi = max === undefined ? lo + 2000 : Math.floor(max / step) - (maxExcluded && Number.isInteger(max / step) ? 1 : 0);
      if (Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo <= hi) {
        arbs.push(fc.integer({ min: lo, max: Math.min(hi, lo + 1e9) }).map((k) => (integer && step === 1 ? k : k * step)));
      }
    } else if (this.ctx.plain) {
      const [lo, hi] = [Math.max(min ?? -1000, -1e12), Math.min(max ?? Math.max(1000, (min ?? 0) + 1000), 1e12)];
      arbs.push(fc.integer({ min: Math.ceil(lo * 100), max: Math.max(Math.ceil(lo * 100), Math.floor(hi * 100)) }).map((n) => n / 100));
    } else {
      arbs.push(fc.double({ min: min ?? -1e9, max: max ?? 1e9, minExcluded, maxExcluded, noNaN: true, noDefaultInfinity: true }).filter((n) => Number.isFinite(n)));
    }
    if (!this.ctx.plain && typeof s.format === "string" && NUMBER_FORMATS[s.format]) arbs.push(fc.constantFrom(...NUMBER_FORMATS[s.format]!));
    return arbs.length === 0 ? fc.constant(min ?? 0) : fc.oneof(...arbs);
  }

  #string(s: Obj): fc.Arbitrary<unknown> {
    const minLength = typeof s.minLength === "number" ? s.minLength : 0;
    const maxLength = typeof s.maxLength === "number" ? s.maxLength : minLength + 12;
    const format = typeof s.format === "string" ? FORMAT_SAMPLES[s.format] : undefined;
    if (format && format.valid.length > 0) return fc.constantFrom(...format.valid);
    if (typeof s.pattern === "string") {
      const re = compile(s.pattern);
      if (re) {
        try {
          return fc.stringMatching(re, { size: "small" });
        } catch {
          // unsupported by fast-check: plain strings below
        }
      }
    }
    if (this.ctx.plain) return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 12), unit: PLAIN_UNIT });
    return fc.oneof(
      fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 12), unit: "grapheme-ascii" }),
      fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 12), unit: "binary" }),
    );
  }

  #array(s: Obj, depth: number): fc.Arbitrary<unknown> {
    const minLength = typeof s.minItems === "number" ? s.minItems : 0;
    const maxLength = Math.min(typeof s.maxItems === "number" ? s.maxItems : minLength + 3, minLength + 3);
    const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
    if (tuple) return fc.tuple(...tuple.map((t) => this.valid(t, depth + 1)));
    const item = this.valid(s.items ?? true, depth + 1);
    if (s.uniqueItems === true) return fc.uniqueArray(item, { minLength, maxLength, selector: (v) => stableJson(v) });
    return fc.array(item, { minLength, maxLength });
  }

  #object(s: Obj, depth: number): fc.Arbitrary<unknown> {
    const omit = this.ctx.omit;
    const properties = Object.fromEntries(Object.entries(isObj(s.properties) ? s.properties : {}).filter(([, p]) => !omit || !VisibilityIndex.property(p, omit)));
    const hidden = (k: string) => omit !== undefined && isObj(s.properties) && Object.hasOwn(s.properties, k) && !Object.hasOwn(properties, k);
    const required = new Set((Array.isArray(s.required) ? s.required : []).filter((k): k is string => typeof k === "string" && !hidden(k)));
    const model: Record<string, fc.Arbitrary<unknown>> = Object.create(null);
    for (const [name, prop] of Object.entries(properties)) if (name !== "__proto__") model[name] = this.valid(prop, depth + 1);
    for (const name of required) if (!Object.hasOwn(model, name) && name !== "__proto__") model[name] = anyJson;
    const base = fc.record(model, { requiredKeys: [...required].filter((k) => Object.hasOwn(model, k)), noNullPrototype: true });
    const extra = s.additionalProperties;
    if (extra === false || !(isObj(extra) || extra === true || extra === undefined)) return base;
    if (this.ctx.plain && Object.keys(model).length > 0) return base;
    const extraValue = isObj(extra) ? this.valid(extra, depth + 1) : anyJson;
    return fc.tuple(base, fc.dictionary(SAFE_KEY, extraValue, { maxKeys: 2, noNullPrototype: true })).map(([a, b]) => ({ ...b, ...(a as Obj) }));
  }

  // ---------------------------------------------------------------- near misses

  mutant(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
    return lazy(() => this.#mutant(schema, depth));
  }

  #mutant(schema: unknown, depth: number): fc.Arbitrary<unknown> {
    const s = this.#resolve(schema);
    const wrong = fc.constantFrom(...WRONG_TYPES);
    if (!isObj(s) || depth > 3) return fc.oneof(wrong, anyJson);
    const arbs: fc.Arbitrary<unknown>[] = [wrong];
    if (Array.isArray(s.enum)) arbs.push(fc.constantFrom(...s.enum.flatMap(enumNeighbours)));
    if ("const" in s) arbs.push(fc.constantFrom(...enumNeighbours(s.const)));
    if (Array.isArray(s.allOf)) for (const part of s.allOf) arbs.push(this.mutant(part, depth + 1));
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const options = s[keyword];
      if (!Array.isArray(options)) continue;
      for (const option of options) arbs.push(this.mutant(option, depth + 1), this.valid(option, depth + 1));
      const d = s.discriminator;
      if (isObj(d) && typeof d.propertyName === "string") {
        const tag = d.propertyName;
        const names = [...options.flatMap((o) => (isObj(o) && typeof o.$ref === "string" ? [o.$ref.split("/").pop()!] : [])), ...(isObj(d.mapping) ? Object.keys(d.mapping) : [])];
        arbs.push(
          fc.tuple(this.valid(s, depth + 1), fc.constantFrom("unknown-tag", 1, null, ...names)).map(([v, t]) => (isObj(v) ? { ...v, [tag]: t } : v)),
          this.valid(s, depth + 1).map((v) => {
            if (!isObj(v)) return v;
            const { [tag]: _omit, ...rest } = v;
            return rest;
          }),
        );
      }
    }
    if ("not" in s) arbs.push(this.valid(s.not, depth + 1));
    for (const type of this.#types(s)) {
      switch (type) {
        case "integer":
        case "number":
          arbs.push(fc.constantFrom(...numberNeighbours(s, this.#bounds(s))));
          break;
        case "string":
          arbs.push(this.#stringMutant(s));
          break;
        case "array":
          arbs.push(this.#arrayMutant(s, depth));
          break;
        case "object":
          arbs.push(this.#objectMutant(s, depth));
          break;
      }
    }
    return fc.oneof(...arbs);
  }

  #stringMutant(s: Obj): fc.Arbitrary<unknown> {
    const out: unknown[] = ["", " ", "x", "\n", "😀", "12", "null"];
    for (const key of ["minLength", "maxLength"]) {
      const n = s[key];
      if (typeof n !== "number" || n > 10_000) continue;
      for (const len of [n - 1, n, n + 1]) {
        if (len < 0) continue;
        out.push("a".repeat(len), "😀".repeat(len), "a" + "😀".repeat(Math.max(0, len - 1)), "é".repeat(len));
      }
      out.push("😀".repeat(Math.ceil(n / 2)));
    }
    if (typeof s.format === "string") {
      const samples = FORMAT_SAMPLES[s.format];
      if (samples) out.push(...samples.invalid, ...samples.valid.map((v) => v + " "), ...samples.valid.map((v) => v.toUpperCase()));
      if (NUMBER_FORMATS[s.format]) out.push(...NUMBER_FORMATS[s.format]!);
    }
    const arbs: fc.Arbitrary<unknown>[] = [fc.constantFrom(...out), fc.string({ maxLength: 12, unit: "binary" })];
    if (typeof s.pattern === "string") {
      const re = compile(s.pattern);
      if (re) {
        try {
          const matching = fc.stringMatching(re, { size: "small" });
          arbs.push(matching.map((m) => m + "\n"), matching.map((m) => "😀" + m), matching.map((m) => m.slice(1)), matching.map((m) => m + m));
        } catch {
          // unsupported regex syntax for fast-check
        }
      }
    }
    return fc.oneof(...arbs);
  }

  #arrayMutant(s: Obj, depth: number): fc.Arbitrary<unknown> {
    const item = s.items !== undefined && !Array.isArray(s.items) ? s.items : true;
    const valid = this.valid(s, depth + 1);
    const arbs: fc.Arbitrary<unknown>[] = [
      valid.map((v) => (Array.isArray(v) && v.length > 0 ? [...v, v[0]] : [null])),
      valid.map((v) => (Array.isArray(v) ? v.slice(1) : v)),
      fc.tuple(valid, this.mutant(item, depth + 1)).map(([v, m]) => (Array.isArray(v) ? [...v, m] : [m])),
      fc.tuple(valid, this.valid(item, depth + 1)).map(([v, m]) => (Array.isArray(v) ? [...v, m, m] : [m, m])),
    ];
    if (typeof s.minItems === "number" && s.minItems > 0) arbs.push(fc.array(this.valid(item, depth + 1), { minLength: s.minItems - 1, maxLength: s.minItems - 1 }));
    if (typeof s.maxItems === "number" && s.maxItems < 50) arbs.push(fc.array(this.valid(item, depth + 1), { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }));
    return fc.oneof(...arbs);
  }

  #objectMutant(s: Obj, depth: number): fc.Arbitrary<unknown> {
    const valid = this.valid(s, depth + 1);
    const properties = isObj(s.properties) ? s.properties : {};
    const required = (Array.isArray(s.required) ? s.required : []).filter((k): k is string => typeof k === "string");
    const arbs: fc.Arbitrary<unknown>[] = [
      fc.tuple(valid, SAFE_KEY, anyJson).map(([v, k, x]) => (isObj(v) ? { ...v, [k || "extra"]: x } : v)),
      valid.map((v) => (isObj(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
    ];
    if (required.length > 0) {
      arbs.push(fc.tuple(valid, fc.constantFrom(...required)).map(([v, k]) => {
        if (!isObj(v)) return v;
        const { [k]: _omit, ...rest } = v;
        return rest;
      }));
    }
    const names = Object.keys(properties).filter((n) => n !== "__proto__");
    if (names.length > 0) {
      arbs.push(
        fc.constantFrom(...names).chain((name) =>
          fc.tuple(valid, this.mutant(properties[name], depth + 1)).map(([v, m]) => (isObj(v) ? { ...v, [name]: m } : v)),
        ),
      );
    }
    if (typeof s.minProperties === "number" || typeof s.maxProperties === "number") {
      arbs.push(fc.dictionary(SAFE_KEY, anyJson, { minKeys: 0, maxKeys: ((s.maxProperties as number) ?? 3) + 1, noNullPrototype: true }));
    }
    return fc.oneof(...arbs);
  }
}

function numberNeighbours(s: Obj, b: { min?: number; max?: number }): unknown[] {
  const out: unknown[] = [0, -1, 1, 0.5, -0.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 1e300, -1e300, 5e-324, "1", 2147483648, -2147483649];
  for (const edge of [b.min, b.max]) if (edge !== undefined) out.push(edge, edge - 1, edge + 1, edge - 0.5, edge + 0.5, edge - 1e-7, edge + 1e-7);
  const m = s.multipleOf;
  if (typeof m === "number" && m > 0) out.push(m, m * 3, m * 7, m / 2, m * 1.5, m * 1e10, m * 3 + 1e-12, 0.1 * 3, 0.3, 1.1, 4.35);
  return out.filter((v) => typeof v !== "number" || Number.isFinite(v));
}

function enumNeighbours(value: unknown): unknown[] {
  const out: unknown[] = [value];
  if (typeof value === "string") out.push(value.toUpperCase(), value.toLowerCase(), value + " ", value.slice(1), Number(value));
  if (typeof value === "number") out.push(String(value), value + 1, -value, value + 0.5);
  if (typeof value === "boolean") out.push(String(value), !value);
  if (Array.isArray(value)) out.push([...value].reverse(), [...value, null]);
  if (isObj(value)) out.push(Object.fromEntries(Object.entries(value).reverse()), { ...value, extra: 1 });
  out.push(null);
  return out.filter((v) => !(typeof v === "number" && !Number.isFinite(v)));
}

function compile(pattern: string): RegExp | undefined {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // next
    }
  }
  return undefined;
}

/** Naive schema merge for allOf / siblings (generation only: the validators decide). */
function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a, ...b };
  if (isObj(a.properties) || isObj(b.properties)) out.properties = { ...(a.properties as Obj), ...(b.properties as Obj) };
  if (Array.isArray(a.required) || Array.isArray(b.required)) out.required = [...new Set([...((a.required as unknown[]) ?? []), ...((b.required as unknown[]) ?? [])])];
  if (a.type !== undefined && b.type === undefined) out.type = a.type;
  return out;
}

export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return "[" + value.map(stableJson).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + stableJson((value as Obj)[k])).join(",") + "}";
}
