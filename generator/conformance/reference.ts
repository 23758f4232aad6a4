/**
 * The reference validator (the differential test's, and the `test` command's judge): ajv 8 + ajv-formats ("full" mode),
 * `strict: false`, given OpenAPI schemas rewritten into plain JSON Schema:
 *
 * - OpenAPI 3.0 documents use ajv's draft-07 dialect; 3.1 and later use 2020-12.
 * - 3.0: `nullable: true` becomes a `type` array (or `anyOf: [{type: "null"}, …]`, see
 *   INTENTIONAL "nullable-beyond-type"), boolean `exclusiveMinimum`/`exclusiveMaximum`
 *   become their 3.1 numeric form, siblings of `$ref` are dropped (3.0 ignores them).
 * - Every local `$ref` target of the bundled document becomes its own ajv schema under a
 *   synthetic `$id`, and references are rewritten to it (so recursion works).
 * - Settings applied to both sides: `multipleOfPrecision: 9` (runtime/serve/schema.ts uses the
 *   same 1e-9 tolerance) and the regex engine (a pattern is compiled with the `u` flag when
 *   JavaScript accepts it that way, else without; the generator does the same).
 * - `$schema`, `$id` and draft-04 `id` inside schemas are dropped: the generator resolves every
 *   `$ref` as a pointer into the bundled document and validates in the document's dialect.
 * - The intentional differences listed in INTENTIONAL are applied here, each behind its id.
 * - Requests (parameters, request bodies) follow OpenAPI's `readOnly` rule: a readOnly property
 *   (its own schema says `readOnly: true`, not also `writeOnly`) is not required by the `required`
 *   of the schema declaring it; responses (direction "response"), the same for writeOnly. Each
 *   `$ref` target is then compiled once per direction.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const addFormats = addFormatsModule as unknown as (ajv: Ajv, options: { mode: "full" | "fast" }) => void;

/** Intentional, documented differences (docs/compatibility-decoders.md); the reference is adjusted for each. */
export const INTENTIONAL = [
  {
    id: "discriminator-dispatch",
    rule: "`oneOf`/`anyOf` with a `discriminator` (every option a `$ref`) is validated by tag dispatch: the value must be an object whose tag names a mapped schema, and it must match that schema; the other alternatives are not counted.",
  },
  {
    id: "nullable-beyond-type",
    rule: "OpenAPI 3.0 `nullable: true` admits `null` even when `enum`, `const`, `$ref`, `allOf`/`anyOf`/`oneOf` or `not` would reject it (the reference wraps the schema in `anyOf: [{type: \"null\"}, …]`).",
  },
  {
    id: "safe-integers",
    rule: "`integer` (and `format: int64`) accepts whole numbers within ±(2^53 − 1) only: beyond that, JSON parsing may already have rounded the value, so it is refused rather than delivered changed.",
  },
  {
    id: "byte-whole-string",
    rule: "`format: byte` checks the whole string as base64; ajv-formats' regex carries the `m` flag and so accepts any string with one base64 (or empty) line.",
  },
] as const;

export type IntentionalId = (typeof INTENTIONAL)[number]["id"];

const SUBSCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SUBSCHEMA_ONE = ["additionalProperties", "additionalItems", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema"];
const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const COMPOSITE = ["enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not"];

/** Same as the generator's regex handling: `u` when JavaScript accepts it, else no flag, else unchecked. */
const regExpEngine = Object.assign(
  (pattern: string, _u: string) => {
    for (const flags of ["u", ""]) {
      try {
        return new RegExp(pattern, flags);
      } catch {
        // next
      }
    }
    return /(?:)/;
  },
  { code: "new RegExp" },
);

const BASE64_WHOLE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function escapeToken(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function getPointer(doc: unknown, ref: string): unknown {
  const tokens = ref.replace(/^#\/?/, "");
  if (tokens === "") return doc;
  let node: unknown = doc;
  for (const raw of tokens.split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Obj)[token];
  }
  return node;
}

/** Bounds the integers a schema admits to the safe range (where a number would be a whole one). */
function safeIntegers(s: Obj): Obj {
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const integer = (types.includes("integer") && !types.includes("number")) || (s.format === "int64" && types.includes("number"));
  if (!integer) return s;
  return { allOf: [s, { if: { type: "number" }, then: { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } }] };
}

/** Which side a schema is validated for: requests relax `required` for readOnly properties, responses for writeOnly ones. */
export type Direction = "request" | "response" | undefined;

export class Reference {
  readonly ajv: Ajv;
  readonly is30: boolean;
  #ids = new Map<string, string>();
  #compiled = new Map<Direction, Map<unknown, ValidateFunction>>();

  constructor(
    private readonly document: unknown,
    openapiVersion: string,
    /** Apply the INTENTIONAL adjustments (off only to count what they hide: DIFFERENTIAL_STRICT=1). */
    private readonly intentional = true,
  ) {
    this.is30 = openapiVersion.startsWith("3.0");
    const options = {
      strict: false,
      allErrors: false,
      validateSchema: false,
      logger: false,
      multipleOfPrecision: 9,
      // JSON objects have own members only: without this, `required: ["__proto__"]` (or
      // "constructor") is met by the inherited member of every object.
      ownProperties: true,
      code: { regExp: regExpEngine },
    } as const;
    this.ajv = this.is30 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
    addFormats(this.ajv, { mode: "full" });
    // INTENTIONAL byte-whole-string
    if (intentional) this.ajv.addFormat("byte", (s: string) => BASE64_WHOLE.test(s));
  }

  /** A validator for a schema taken from the bundled document. */
  validator(schema: unknown, direction?: Direction): ValidateFunction {
    let compiled = this.#compiled.get(direction);
    if (!compiled) this.#compiled.set(direction, (compiled = new Map()));
    let v = compiled.get(schema);
    if (!v) {
      v = this.ajv.compile({ allOf: [this.convert(schema, direction)] });
      compiled.set(schema, v);
    }
    return v;
  }

  #idFor(ref: string, direction: Direction): string {
    const key = `${direction ?? ""} ${ref}`;
    let id = this.#ids.get(key);
    if (id) return id;
    id = `https://differential.invalid/ref/${this.#ids.size}`;
    this.#ids.set(key, id);
    const target = getPointer(this.document, ref);
    const converted = target === undefined ? true : this.convert(target, direction);
    this.ajv.addSchema({ $id: id, allOf: [converted] });
    return id;
  }

  convert(schema: unknown, direction?: Direction): unknown {
    if (!isObj(schema)) return schema;
    let s: Obj = { ...schema };
    // Identifiers and dialect switches are not followed by the generator (the bundle's refs are all
    // local pointers, the dialect is the document's): drop them so ajv resolves the same way.
    delete s.$schema;
    delete s.$id;
    delete s.id;
    if (typeof s.$ref === "string") {
      const ref = s.$ref;
      const target = ref.startsWith("#") ? this.#idFor(ref, direction) : ref;
      if (this.is30) {
        // 3.0 ignores siblings of $ref (nullable is kept: see nullable-beyond-type).
        s = { $ref: target, ...(s.nullable === true ? { nullable: true } : {}) };
      } else s.$ref = target;
    }
    if (direction !== undefined && Array.isArray(s.required) && isObj(s.properties)) {
      const properties = s.properties;
      const hidden = direction === "request" ? isReadOnly : isWriteOnly;
      s.required = s.required.filter((name) => !(typeof name === "string" && Object.hasOwn(properties, name) && hidden(properties[name])));
    }
    const sub = (v: unknown) => this.convert(v, direction);
    for (const key of SUBSCHEMA_MAPS) {
      if (isObj(s[key])) s[key] = Object.fromEntries(Object.entries(s[key] as Obj).map(([k, v]) => [k, sub(v)]));
    }
    for (const key of SUBSCHEMA_ONE) if (key in s) s[key] = sub(s[key]);
    for (const key of SUBSCHEMA_LISTS) if (Array.isArray(s[key])) s[key] = (s[key] as unknown[]).map(sub);
    if ("items" in s) s.items = Array.isArray(s.items) ? s.items.map(sub) : sub(s.items);

    if (this.is30) {
      for (const [flag, bound] of [
        ["exclusiveMinimum", "minimum"],
        ["exclusiveMaximum", "maximum"],
      ] as const) {
        if (s[flag] === true && typeof s[bound] === "number") {
          s[flag] = s[bound];
          delete s[bound];
        } else if (typeof s[flag] === "boolean") delete s[flag];
      }
    }

    if (this.intentional) this.#discriminator(s, schema, direction);
    // INTENTIONAL safe-integers
    if (this.intentional) s = safeIntegers(s);

    if (this.is30 && s.nullable === true) {
      delete s.nullable;
      if (typeof s.type === "string" && !COMPOSITE.some((k) => k in s)) s.type = [s.type, "null"];
      else if (!this.intentional) {
        // Plain 3.0 reading: null joins `type` (and nothing else); without `type`, nullable does nothing.
        if (typeof s.type === "string") s.type = [s.type, "null"];
      }
      // INTENTIONAL nullable-beyond-type
      else s = { anyOf: [{ type: "null" }, s] };
    }
    return s;
  }

  /** INTENTIONAL discriminator-dispatch: mirrors the generator's mapping (explicit, then each `$ref` option's name). */
  #discriminator(s: Obj, original: Obj, direction: Direction): void {
    const d = s.discriminator;
    if (!isObj(d) || typeof d.propertyName !== "string") return;
    const property = d.propertyName;
    for (const keyword of ["oneOf", "anyOf"]) {
      const options = original[keyword];
      if (!Array.isArray(options) || options.length === 0) continue;
      const mapping = new Map<string, string>();
      const explicit = isObj(d.mapping) ? d.mapping : {};
      for (const [value, target] of Object.entries(explicit)) {
        if (typeof target !== "string") continue;
        mapping.set(value, target.startsWith("#") ? target : `#/components/schemas/${escapeToken(target)}`);
      }
      const referenced = new Set(mapping.values());
      let dispatch = true;
      for (const option of options) {
        if (!isObj(option) || typeof option.$ref !== "string") {
          dispatch = false;
          break;
        }
        if (referenced.has(option.$ref)) continue;
        mapping.set(decodeToken(option.$ref.split("/").pop()!), option.$ref);
      }
      if (!dispatch) continue;
      delete s[keyword];
      const cases = [...mapping].map(([value, ref]) => ({
        if: { properties: { [property]: { const: value } } },
        then: { $ref: this.#idFor(ref, direction) },
      }));
      const rule = {
        type: "object",
        required: [property],
        properties: { [property]: { type: "string", enum: [...mapping.keys()] } },
        allOf: cases,
      };
      s.allOf = [...(Array.isArray(s.allOf) ? s.allOf : []), rule];
    }
  }
}

/** OpenAPI's readOnly property, as the generator reads it (openapi-typescript's rule). */
function isReadOnly(property: unknown): boolean {
  return isObj(property) && property.readOnly === true && property.writeOnly !== true;
}

/** OpenAPI's writeOnly property, by the same rule. */
function isWriteOnly(property: unknown): boolean {
  return isObj(property) && property.writeOnly === true && property.readOnly !== true;
}

function decodeToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}
