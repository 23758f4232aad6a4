/**
 * Schema defaults that their own schema rejects (`type: string, default: null`, `type: boolean,
 * default: "false - DELETE"`) are removed from the document before anything is emitted: emitted,
 * they would not compile once `@ts-nocheck` is gone (zod's `.default()` takes the schema's type)
 * and would hand handlers a value the spec forbids. A removed default makes the value absent.
 *
 * The check is conservative: a default is dropped only when a keyword it is sure of rejects it
 * (types, enum and const, lengths, bounds, pattern, items, properties, required, closed objects,
 * allOf, and anyOf/oneOf when no branch accepts it); keywords it does not judge (format, not,
 * if/then/else, unevaluated*) never drop one.
 */
import { getPointer } from "../model.js";
import { pointerOf } from "../diagnostics.js";
import { SUBSCHEMA_LISTS, SUBSCHEMA_ONE } from "../walk.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface DroppedDefault {
  /** JSON pointer of the `default` removed. */
  pointer: string;
  value: unknown;
  reason: string;
}

const SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];
/** Values outside schemas that are data (examples), not OpenAPI objects: never searched for schemas. */
const DATA_KEYS = new Set(["example", "examples", "value"]);

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" ? (Number.isInteger(value) ? "integer" : "number") : typeof value;
}

function hasType(type: string, value: unknown): boolean {
  const actual = jsonType(value);
  return actual === type || (type === "number" && actual === "integer");
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equal((a as Obj)[k], (b as Obj)[k]));
}

function regex(pattern: string): RegExp | undefined {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // next
    }
  }
  return undefined;
}

class DefaultChecker {
  constructor(
    private readonly document: unknown,
    private readonly is30: boolean,
  ) {}

  /** Why `schema` surely rejects `value`; undefined when it accepts it, or may. */
  violation(schema: unknown, value: unknown, depth = 0): string | undefined {
    if (schema === false) return "the schema accepts nothing";
    if (!isObj(schema) || depth > 64) return undefined;
    if (typeof schema.$ref === "string") {
      const target = schema.$ref.startsWith("#") ? getPointer(this.document, schema.$ref) : undefined;
      const found = target === undefined ? undefined : this.violation(target, value, depth + 1);
      // 3.0 ignores a $ref's siblings.
      if (found || this.is30) return found;
    }
    const nullAllowed = value === null && this.is30 && schema.nullable === true;
    const types = typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((t) => typeof t === "string") : undefined;
    if (types && types.length > 0 && !nullAllowed && !types.some((t) => hasType(t, value))) return `${jsonType(value)}, not ${types.join(" or ")}`;
    if (Array.isArray(schema.enum) && !nullAllowed && !schema.enum.some((e) => equal(e, value))) return "not one of its enum values";
    if ("const" in schema && !equal(schema.const, value)) return "not its const value";
    return this.#typed(schema, value, depth) ?? this.#composed(schema, value, depth);
  }

  #typed(schema: Obj, value: unknown, depth: number): string | undefined {
    const num = (k: string) => (typeof schema[k] === "number" ? (schema[k] as number) : undefined);
    if (typeof value === "string") {
      const length = [...value].length;
      if (length < (num("minLength") ?? 0)) return `shorter than minLength ${schema.minLength}`;
      if (length > (num("maxLength") ?? Infinity)) return `longer than maxLength ${schema.maxLength}`;
      const re = typeof schema.pattern === "string" ? regex(schema.pattern) : undefined;
      if (re && !re.test(value)) return `not matching pattern ${JSON.stringify(schema.pattern)}`;
    } else if (typeof value === "number") {
      const min = num("minimum");
      const max = num("maximum");
      // 3.0's boolean exclusiveMinimum/Maximum qualify minimum/maximum; 3.1's are bounds of their own.
      const exclusiveMin = schema.exclusiveMinimum === true ? min : num("exclusiveMinimum");
      const exclusiveMax = schema.exclusiveMaximum === true ? max : num("exclusiveMaximum");
      if (min !== undefined && value < min) return `below minimum ${min}`;
      if (max !== undefined && value > max) return `above maximum ${max}`;
      if (exclusiveMin !== undefined && value <= exclusiveMin) return `not above ${exclusiveMin}`;
      if (exclusiveMax !== undefined && value >= exclusiveMax) return `not below ${exclusiveMax}`;
      const step = num("multipleOf");
      if (step && step > 0 && Math.abs(value / step - Math.round(value / step)) > 1e-9) return `not a multiple of ${step}`;
    } else if (Array.isArray(value)) {
      if (value.length < (num("minItems") ?? 0)) return `fewer items than minItems ${schema.minItems}`;
      if (value.length > (num("maxItems") ?? Infinity)) return `more items than maxItems ${schema.maxItems}`;
      if (isObj(schema.items) || typeof schema.items === "boolean") {
        for (const [i, item] of value.entries()) {
          const why = this.violation(schema.items, item, depth + 1);
          if (why) return `item ${i}: ${why}`;
        }
      }
    } else if (isObj(value)) {
      const properties = isObj(schema.properties) ? schema.properties : {};
      const missing = (Array.isArray(schema.required) ? schema.required : []).find((name) => typeof name === "string" && !Object.hasOwn(value, name));
      if (missing !== undefined) return `property ${JSON.stringify(missing)} is missing`;
      for (const [name, item] of Object.entries(value)) {
        if (Object.hasOwn(properties, name)) {
          const why = this.violation(properties[name], item, depth + 1);
          if (why) return `property ${JSON.stringify(name)}: ${why}`;
        } else if (schema.additionalProperties === false && !isObj(schema.patternProperties)) return `property ${JSON.stringify(name)} is not allowed`;
      }
    }
    return undefined;
  }

  #composed(schema: Obj, value: unknown, depth: number): string | undefined {
    for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) {
      const why = this.violation(part, value, depth + 1);
      if (why) return why;
    }
    for (const keyword of ["anyOf", "oneOf"]) {
      const branches = schema[keyword];
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const reasons = branches.map((b) => this.violation(b, value, depth + 1));
      if (reasons.every(Boolean)) return `no ${keyword} branch accepts it (${reasons[0]})`;
    }
    return undefined;
  }
}

/**
 * Removes every schema `default` its own schema rejects, anywhere in the document (components,
 * parameters, headers, bodies, responses, webhooks and callbacks), and says which.
 */
export function dropInvalidDefaults(document: Obj, openapiVersion: string): DroppedDefault[] {
  const checker = new DefaultChecker(document, openapiVersion.startsWith("3.0"));
  const dropped: DroppedDefault[] = [];
  const seen = new WeakSet<object>();
  const schema = (node: unknown, at: (string | number)[]): void => {
    if (!isObj(node) || seen.has(node)) return;
    seen.add(node);
    if (node.default !== undefined) {
      const value = node.default;
      const { default: _, ...rest } = node;
      const reason = checker.violation(rest, value);
      if (reason) {
        delete node.default;
        dropped.push({ pointer: pointerOf(...at, "default"), value, reason });
      }
    }
    for (const key of SUBSCHEMA_ONE) if (!Array.isArray(node[key])) schema(node[key], [...at, key]);
    for (const key of SUBSCHEMA_LISTS) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach((s, i) => schema(s, [...at, key, i]));
    for (const key of SUBSCHEMA_MAPS) if (isObj(node[key])) for (const [name, s] of Object.entries(node[key] as Obj)) schema(s, [...at, key, name]);
  };
  // Outside schemas: every `schema` value (parameters, headers, media types) and components.schemas.
  const openapi = (node: unknown, at: (string | number)[]): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    for (const [key, value] of Object.entries(node)) {
      if (DATA_KEYS.has(key) || key.startsWith("x-")) continue;
      if (key === "schema") schema(value, [...at, key]);
      else if (key === "schemas" && at.length === 1 && at[0] === "components" && isObj(value))
        for (const [name, s] of Object.entries(value)) schema(s, [...at, key, name]);
      else openapi(value, [...at, key]);
    }
  };
  openapi(document, []);
  return dropped;
}
