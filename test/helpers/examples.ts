/**
 * A small, deterministic example synthesiser for JSON Schema (OpenAPI 3.0 and 3.1 dialects),
 * used by the compatibility test to build handler replies and request values from real specs.
 *
 * It follows local `$ref`s in the bundled document, respects `required`, `enum`, `const`,
 * `format`, `minimum`/`maximum` (3.0 boolean and 3.1 numeric exclusives), `multipleOf`,
 * `minLength`/`maxLength`, `minItems`/`maxItems`, `minProperties`, simple `pattern`s, `allOf`
 * (merged), `oneOf`/`anyOf` (the option picked by `variant`, discriminator value set), and cuts
 * recursion (a `$ref` already being synthesised yields the smallest value its type allows).
 * It does not prove validity: callers check the result against the generated zod schema and
 * try another `variant` when it does not match.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface SynthOptions {
  /** Picks the `oneOf`/`anyOf` option (modulo their count) and varies scalars: try 0, 1, 2… */
  variant?: number;
  /** Include optional object properties too (default: only required ones, and enough for minProperties). */
  optional?: boolean;
  /** Leave out properties whose own schema is `writeOnly` (response) or `readOnly` (request), as the runtime requires. */
  direction?: "request" | "response";
}

const FORMATS: Record<string, string> = {
  "date-time": "2024-01-02T03:04:05Z",
  date: "2024-01-02",
  time: "03:04:05Z",
  duration: "P1D",
  uuid: "123e4567-e89b-12d3-a456-426614174000",
  email: "user@example.com",
  "idn-email": "user@example.com",
  uri: "https://example.com/sample",
  url: "https://example.com/sample",
  "uri-reference": "https://example.com/sample",
  iri: "https://example.com/sample",
  "uri-template": "https://example.com/{id}",
  hostname: "example.com",
  "idn-hostname": "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  byte: "c2FtcGxl",
  binary: "sample",
  password: "sample",
  regex: "^a$",
  "json-pointer": "/a",
};

const MAX_DEPTH = 12;

export function decodePointerToken(token: string): string {
  return decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Resolves a local `$ref` (`#/...`) in the document. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const tokens = ref.replace(/^#\/?/, "");
  if (tokens === "") return doc;
  let node: unknown = doc;
  for (const raw of tokens.split("/")) {
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Obj)[decodePointerToken(raw)];
  }
  return node;
}

/** Follows `$ref`s until a non-reference value (or a cycle / unresolvable ref → undefined). */
export function deref(doc: unknown, value: unknown): unknown {
  const seen = new Set<string>();
  while (isObj(value) && typeof value.$ref === "string") {
    if (seen.has(value.$ref)) return undefined;
    seen.add(value.$ref);
    value = resolvePointer(doc, value.$ref);
  }
  return value;
}

export class Synthesiser {
  #doc: unknown;
  #is30: boolean;
  #stack: string[] = [];
  #variant = 0;
  #optional = false;
  #hidden: "readOnly" | "writeOnly" | undefined;

  constructor(doc: unknown) {
    this.#doc = doc;
    this.#is30 = isObj(doc) && typeof doc.openapi === "string" && doc.openapi.startsWith("3.0");
  }

  example(schema: unknown, options: SynthOptions = {}): unknown {
    this.#variant = options.variant ?? 0;
    this.#optional = options.optional ?? false;
    this.#hidden = options.direction === "response" ? "writeOnly" : options.direction === "request" ? "readOnly" : undefined;
    this.#stack = [];
    return this.#value(schema, 0, 0);
  }

  #value(schema: unknown, depth: number, salt: number): unknown {
    if (schema === true || schema === undefined) return "sample";
    if (schema === false || !isObj(schema)) return null;
    if (typeof schema.$ref === "string") {
      const ref = schema.$ref;
      const target = resolvePointer(this.#doc, ref);
      const siblings = Object.keys(schema).filter((k) => k !== "$ref" && !/^(description|summary|\$comment)$/.test(k));
      const merged = !this.#is30 && siblings.length > 0 && isObj(target) ? { ...target, ...Object.fromEntries(siblings.map((k) => [k, schema[k]])) } : target;
      if (this.#stack.includes(ref) || depth > MAX_DEPTH) return this.#smallest(merged, depth);
      this.#stack.push(ref);
      try {
        return this.#value(merged, depth + 1, salt);
      } finally {
        this.#stack.pop();
      }
    }
    if ("const" in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      const values = schema.enum.filter((v) => v !== null);
      return values.length > 0 ? values[salt % values.length] : null;
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return this.#value(this.#flatten(schema, new Set()), depth, salt);
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const options = schema[keyword];
      if (!Array.isArray(options) || options.length === 0) continue;
      const usable = options.filter((o) => !(isObj(o) && (o.type === "null" || (Array.isArray(o.enum) && o.enum.every((v) => v === null)))));
      const list = usable.length > 0 ? usable : options;
      const option = list[this.#variant % list.length];
      const { [keyword]: _omit, discriminator, ...rest } = schema;
      // The option's constraints join the enclosing schema's (e.g. `oneOf: [{required: [a]}, {required: [b]}]`).
      let value = this.#value(mergeSchemas(rest, this.#flatten(option, new Set())), depth + 1, salt);
      if (isObj(discriminator) && typeof discriminator.propertyName === "string" && isObj(value) && isObj(option) && typeof option.$ref === "string") {
        value = { ...value, [discriminator.propertyName]: discriminatorValue(discriminator, option.$ref) };
      }
      return value;
    }
    const type = typeOf(schema);
    switch (type) {
      case "object":
        return this.#object(schema, depth, salt);
      case "array":
        return this.#array(schema, depth, salt);
      case "string":
        return this.#string(schema, salt);
      case "integer":
      case "number":
        return this.#number(schema, type, salt);
      case "boolean":
        return salt % 2 === 0;
      case "null":
        return null;
      default:
        return "sample";
    }
  }

  /** A schema with its `allOf` parts (and their `$ref`s) merged into one object. */
  #flatten(schema: unknown, seen: Set<string>): Obj {
    let node = schema;
    while (isObj(node) && typeof node.$ref === "string") {
      const ref = node.$ref;
      if (seen.has(ref) || this.#stack.includes(ref)) return {};
      seen.add(ref);
      const target = resolvePointer(this.#doc, ref);
      const siblings = Object.fromEntries(Object.entries(node).filter(([k]) => k !== "$ref" && !/^(description|summary|\$comment)$/.test(k)));
      node = !this.#is30 && isObj(target) ? { ...target, ...siblings } : target;
    }
    if (!isObj(node)) return {};
    if (!Array.isArray(node.allOf)) return node;
    const { allOf, ...rest } = node;
    let out: Obj = rest;
    for (const part of allOf) out = mergeSchemas(out, this.#flatten(part, seen));
    return out;
  }

  /** The smallest value for a schema met again while being synthesised. */
  #smallest(schema: unknown, depth: number): unknown {
    if (!isObj(schema)) return null;
    if (schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes("null"))) return null;
    const type = typeOf(schema);
    if (type === "array" && !(typeof schema.minItems === "number" && schema.minItems > 0)) return [];
    if (type === "object" && (!Array.isArray(schema.required) || schema.required.length === 0) && !Array.isArray(schema.allOf)) return {};
    if (depth > MAX_DEPTH * 2) return type === "array" ? [] : type === "object" ? {} : null;
    // Required members still need values: go on, deeper (arrays empty out, so this terminates).
    return this.#value(schema, depth + 1, 0);
  }

  #object(schema: Obj, depth: number, salt: number): Obj {
    const properties = isObj(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : [];
    const out: Obj = {};
    const names = this.#optional && depth < 4 ? [...new Set([...required, ...Object.keys(properties)])] : required;
    for (const name of names) {
      const prop = name in properties ? properties[name] : isObj(schema.additionalProperties) ? schema.additionalProperties : true;
      if (this.#hidden && isObj(prop) && prop[this.#hidden] === true) continue;
      out[name] = this.#value(prop, depth + 1, salt);
    }
    const min = typeof schema.minProperties === "number" ? schema.minProperties : 0;
    for (const name of Object.keys(properties)) {
      if (Object.keys(out).length >= min) break;
      if (!(name in out)) out[name] = this.#value(properties[name], depth + 1, salt);
    }
    for (let i = 1; Object.keys(out).length < min && schema.additionalProperties !== false; i++) {
      out[`key${i}`] = this.#value(isObj(schema.additionalProperties) ? schema.additionalProperties : true, depth + 1, salt + i);
    }
    return out;
  }

  #array(schema: Obj, depth: number, salt: number): unknown[] {
    const min = typeof schema.minItems === "number" ? schema.minItems : 0;
    const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
    const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
    if (tuple) return tuple.slice(0, Math.max(min, Math.min(tuple.length, max))).map((s, i) => this.#value(s, depth + 1, salt + i));
    // One item shows the item schema, unless recursion is being cut.
    const count = Math.min(max, Math.max(min, depth > MAX_DEPTH / 2 || this.#stack.length > 6 ? 0 : 1));
    return Array.from({ length: count }, (_, i) => this.#value(schema.items ?? true, depth + 1, salt + i));
  }

  #string(schema: Obj, salt: number): string {
    const min = typeof schema.minLength === "number" ? schema.minLength : 0;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
    const fit = (s: string) => {
      let out = s;
      while (out.length < min) out += "x";
      return out.length > max ? out.slice(0, max) : out;
    };
    if (typeof schema.pattern === "string") {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, "u");
      } catch {
        try {
          re = new RegExp(schema.pattern);
        } catch {
          re = undefined;
        }
      }
      if (re) {
        const candidates = [schema.example, ...(Array.isArray(schema.examples) ? schema.examples : []), schema.default, fromPattern(schema.pattern, min), "sample", "a", "1", "A", "abc", "a1", "sample-1"];
        for (const c of candidates) if (typeof c === "string" && re.test(c) && c.length >= min && c.length <= max) return c;
      }
    }
    const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
    if (format !== undefined) return format;
    return fit(salt > 0 ? `sample${salt}` : "sample");
  }

  #number(schema: Obj, type: string, salt: number): number {
    const step = type === "integer" ? 1 : 0.5;
    let low = -Infinity;
    let high = Infinity;
    let lowExclusive = false;
    let highExclusive = false;
    if (typeof schema.minimum === "number") ((low = schema.minimum), (lowExclusive = schema.exclusiveMinimum === true));
    if (typeof schema.exclusiveMinimum === "number" && schema.exclusiveMinimum >= low) ((low = schema.exclusiveMinimum), (lowExclusive = true));
    if (typeof schema.maximum === "number") ((high = schema.maximum), (highExclusive = schema.exclusiveMaximum === true));
    if (typeof schema.exclusiveMaximum === "number" && schema.exclusiveMaximum <= high) ((high = schema.exclusiveMaximum), (highExclusive = true));
    let value = 1 + salt;
    if (low !== -Infinity) {
      const start = type === "integer" ? Math.ceil(low) : low;
      value = Math.max(value, lowExclusive && start === low ? start + step : start);
    }
    if (high !== Infinity && (value > high || (highExclusive && value >= high))) {
      value = type === "integer" ? Math.floor(high) : high;
      if (highExclusive && value >= high) value -= step;
    }
    if (typeof schema.multipleOf === "number" && schema.multipleOf > 0) {
      const m = schema.multipleOf;
      let candidate = Math.ceil(value / m) * m;
      if (candidate > high || (highExclusive && candidate >= high)) candidate = Math.floor(value / m) * m;
      value = Number(candidate.toPrecision(12));
    }
    return value;
  }
}

function typeOf(schema: Obj): string | undefined {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t): t is string => typeof t === "string");
    return types.find((t) => t !== "null") ?? types[0];
  }
  if (isObj(schema.properties) || Array.isArray(schema.required) || schema.additionalProperties !== undefined || schema.minProperties !== undefined) return "object";
  if (schema.items !== undefined || schema.prefixItems !== undefined || schema.minItems !== undefined) return "array";
  if (schema.pattern !== undefined || schema.format !== undefined || schema.minLength !== undefined || schema.maxLength !== undefined) return "string";
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined) return "number";
  return undefined;
}

/** Both schemas' constraints in one (enough for synthesis: properties and required are united). */
export function mergeSchemas(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    if (mine === undefined) out[k] = v;
    else if (k === "properties" && isObj(mine) && isObj(v)) {
      const props: Obj = { ...mine };
      for (const [name, schema] of Object.entries(v)) props[name] = name in props ? { allOf: [props[name], schema] } : schema;
      out[k] = props;
    } else if (k === "required" && Array.isArray(mine) && Array.isArray(v)) out[k] = [...new Set([...mine, ...v])];
    else if (k === "type" && mine !== v) {
      const list = (t: unknown) => (Array.isArray(t) ? t : [t]) as unknown[];
      const both = list(mine).filter((t) => list(v).includes(t) || (t === "integer" && list(v).includes("number")));
      const narrowed = list(v).filter((t) => t === "integer" && list(mine).includes("number"));
      const types = [...new Set([...both, ...narrowed])];
      out[k] = types.length === 1 ? types[0] : types.length > 0 ? types : mine;
    } else if (k === "enum" && Array.isArray(mine) && Array.isArray(v)) {
      const common = mine.filter((x) => v.some((y) => JSON.stringify(x) === JSON.stringify(y)));
      out[k] = common.length > 0 ? common : mine;
    } else if ((k === "minimum" || k === "minLength" || k === "minItems" || k === "minProperties") && typeof mine === "number" && typeof v === "number") out[k] = Math.max(mine, v);
    else if ((k === "maximum" || k === "maxLength" || k === "maxItems" || k === "maxProperties") && typeof mine === "number" && typeof v === "number") out[k] = Math.min(mine, v);
  }
  return out;
}

function discriminatorValue(discriminator: Obj, ref: string): string {
  if (isObj(discriminator.mapping)) {
    for (const [value, target] of Object.entries(discriminator.mapping)) {
      if (target === ref || (typeof target === "string" && ref.endsWith("/" + target))) return value;
    }
  }
  return decodePointerToken(ref.split("/").pop() ?? "");
}

/**
 * A string for a simple regular expression: literals, escapes (\d \w \s and escaped
 * characters), classes, groups with alternation (first branch) and quantifiers (their
 * minimum, at least one for `+`). Anything fancier may produce a non-match, which the
 * caller checks.
 */
export function fromPattern(pattern: string, minLength = 0): string {
  let i = 0;
  const src = pattern;
  function atom(): string {
    const c = src[i]!;
    if (c === "\\") {
      const e = src[i + 1] ?? "";
      i += 2;
      if (e === "d") return "1";
      if (e === "w") return "a";
      if (e === "s") return " ";
      if (e === "D" || e === "W" || e === "S") return "-";
      if (e === "b" || e === "B") return "";
      if (e === "u") {
        const hex = src.slice(i, i + 4);
        i += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      return e;
    }
    if (c === "[") {
      const end = classEnd(src, i);
      const body = src.slice(i + 1, end);
      i = end + 1;
      return classChar(body);
    }
    if (c === "(") {
      i++;
      if (src[i] === "?") {
        if (src[i + 1] === ":") i += 2;
        else if (src[i + 1] === "<" && src[i + 2] !== "=" && src[i + 2] !== "!") i = src.indexOf(">", i) + 1;
        else {
          // Lookaround: skip it.
          let level = 1;
          while (i < src.length && level > 0) {
            i++;
            if (src[i] === "\\") i++;
            else if (src[i] === "(") level++;
            else if (src[i] === ")") level--;
          }
          i++;
          return "";
        }
      }
      const out = sequence(true);
      i++; // ")"
      return out;
    }
    if (c === ".") {
      i++;
      return "a";
    }
    if (c === "^" || c === "$") {
      i++;
      return "";
    }
    i++;
    return c;
  }
  function quantified(): string {
    const text = atom();
    const q = src[i];
    let count = 1;
    if (q === "?" || q === "*") ((count = 0), i++);
    else if (q === "+") i++;
    else if (q === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m) {
        count = Number(m[1]);
        if (count === 0 && m[2] !== undefined && m[3] !== "0") count = 1;
        i += m[0].length;
      }
    }
    if (src[i] === "?" || src[i] === "+") i++; // lazy / possessive
    return text.repeat(count);
  }
  function sequence(inGroup: boolean): string {
    let out = "";
    let first: string | undefined;
    while (i < src.length) {
      const c = src[i];
      if (inGroup && c === ")") break;
      if (c === "|") {
        first ??= out;
        // Skip the other branches.
        let level = 0;
        while (i < src.length) {
          if (src[i] === "\\") i++;
          else if (src[i] === "[") i = classEnd(src, i);
          else if (src[i] === "(") level++;
          else if (src[i] === ")") {
            if (level === 0) break;
            level--;
          }
          i++;
        }
        break;
      }
      out += quantified();
    }
    return first ?? out;
  }
  try {
    let out = sequence(false);
    while (out.length < minLength) out += out.slice(-1) || "a";
    return out;
  } catch {
    return "";
  }
}

function classEnd(src: string, start: number): number {
  let j = start + 1;
  if (src[j] === "^") j++;
  if (src[j] === "]") j++;
  while (j < src.length && src[j] !== "]") {
    if (src[j] === "\\") j++;
    j++;
  }
  return j;
}

function classChar(body: string): string {
  const negated = body.startsWith("^");
  const chars: string[] = [];
  const text = negated ? body.slice(1) : body;
  for (let j = 0; j < text.length; j++) {
    let c = text[j]!;
    if (c === "\\") {
      const e = text[j + 1] ?? "";
      j++;
      c = e === "d" ? "0" : e === "w" ? "a" : e === "s" ? " " : e;
      if (!negated) return e === "d" ? "1" : c;
      chars.push(c);
      continue;
    }
    if (text[j + 1] === "-" && j + 2 < text.length) {
      const from = c;
      const to = text[j + 2]!;
      if (!negated) {
        // Prefer a letter or digit inside the range.
        for (const pick of ["a", "A", "1", "0"]) if (pick >= from && pick <= to) return pick;
        return from;
      }
      for (let code = from.charCodeAt(0); code <= to.charCodeAt(0); code++) chars.push(String.fromCharCode(code));
      j += 2;
      continue;
    }
    if (!negated) return c;
    chars.push(c);
  }
  if (negated) {
    for (const pick of ["a", "x", "1", "A", "_"]) if (!chars.includes(pick)) return pick;
  }
  return "a";
}
