/** The coercion hint for a parameter: which JSON types its strings may become. */
import { resolveRef, type JsonSchema } from "../model.js";
import type { ValueShape, JsonType } from "@symphony-codegen/runtime/internal/serve/parameters.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const ALL: JsonType[] = ["string", "number", "integer", "boolean", "null", "array", "object"];

/** A ValueShape with its types as JSON type names (the runtime's own type takes any string). */
type Shape = Omit<ValueShape, "types"> & { types?: JsonType[] };

export function valueShape(document: unknown, schema: JsonSchema | undefined, depth = 0): Shape {
  const s = resolveRef<Obj>(document, schema);
  if (!isObj(s) || depth > 4) return {};
  const types = new Set<JsonType>();
  const add = (t: unknown) => {
    if (typeof t === "string" && (ALL as string[]).includes(t)) types.add(t as JsonType);
  };
  if (Array.isArray(s.type)) s.type.forEach(add);
  else add(s.type);
  if (s.nullable === true) types.add("null");
  if (types.size === 0) {
    if (isObj(s.properties)) types.add("object");
    if (s.items !== undefined) types.add("array");
    const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
    if (Array.isArray(s.enum)) for (const v of s.enum) add(jsonType(v));
    if ("const" in s) add(jsonType(s.const));
  }
  const shape: { types?: JsonType[]; items?: ValueShape; props?: Record<string, ValueShape> } = {};
  let items: ValueShape | undefined;
  let props: Record<string, ValueShape> | undefined;
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    const parts = s[key];
    if (!Array.isArray(parts)) continue;
    for (const part of parts) {
      const sub = valueShape(document, part as JsonSchema, depth + 1);
      sub.types?.forEach((t) => types.add(t));
      items ??= sub.items;
      if (sub.props) props = { ...props, ...sub.props };
    }
  }
  if (types.has("array")) items = valueShape(document, s.items as JsonSchema, depth + 1);
  if (types.has("object") && isObj(s.properties)) {
    // Without a prototype: a property named `__proto__` is a key like any other.
    props = Object.assign(Object.create(null) as Record<string, ValueShape>, props);
    for (const [name, prop] of Object.entries(s.properties)) props[name] = valueShape(document, prop as JsonSchema, depth + 1);
  }
  if (types.size > 0) shape.types = [...types].sort((a, b) => ALL.indexOf(a) - ALL.indexOf(b));
  if (items && Object.keys(items).length > 0) shape.items = items;
  if (props) shape.props = props;
  return shape;
}
