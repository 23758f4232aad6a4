/**
 * The structural check (Redocly's `struct` and `no-unresolved-refs` rules) in one tight walk.
 *
 * Redocly's generic walker builds a pointer string and several closures for every node, which
 * costs seconds on a 13 MB document; this walk visits the same nodes in the same order with the
 * same type tree and reports the same problems (test/load.test.ts compares the two), but builds a
 * location's pointer only when a problem is reported there. It also records what Redocly's bundler
 * would do to a single-file document (`steps`), so that load/inline.ts can do it without a second walk.
 */
import { isMappingRef, isRef } from "@redocly/openapi-core/lib/ref-utils.js";
import { YamlParseError, type Source } from "@redocly/openapi-core/lib/resolve.js";
import { escapeSegment, joinPointer } from "./pointer.js";

/** Redocly's normalized type tree node (the parts this walk reads). */
interface NodeType {
  name: string;
  properties: Record<string, PropertyType | undefined>;
  additionalProperties?: PropertyType;
  items?: PropertyType | ((value: unknown, pointer: string) => PropertyType);
  required?: string[] | ((value: unknown, key: string | number | undefined) => string[]);
  requiredOneOf?: string[];
  allowed?: (value: unknown) => string[] | undefined;
  extensionsPrefix?: string;
}
type PropertyType = NodeType | PropertySchema | null | undefined | ((value: unknown, key: string) => PropertyType);
interface PropertySchema {
  name?: undefined;
  type?: string;
  enum?: unknown[];
  items?: { type?: string; enum?: unknown[] };
  minimum?: number;
  resolvable?: boolean;
  directResolveAs?: NodeType;
}

/** One entry of Redocly's resolved-reference map (`resolveDocument`). */
interface ResolvedRef {
  resolved: boolean;
  node?: unknown;
  document?: { source: Source };
  nodePointer?: string;
  error?: Error & { source?: Source; line?: number; col?: number };
}

/** A place in a source; the pointer string is built on demand, exactly as Redocly's `Location` builds it. */
export class Place {
  private cached?: string;
  constructor(
    readonly source: Source,
    private readonly parent: Place | undefined,
    /** The pointer itself at a root, else the key (and item index) below `parent`. */
    private readonly key: string | number,
    private readonly index?: number,
  ) {}
  get pointer(): string {
    if (this.cached === undefined) {
      const segment = escapeSegment(this.key) + (this.index === undefined ? "" : "/" + this.index);
      this.cached = this.parent ? joinPointer(this.parent.pointer, segment) : String(this.key);
    }
    return this.cached;
  }
  child(key: string | number, index?: number): Place {
    return new Place(this.source, this, key, index);
  }
}

export interface StructureProblem {
  ruleId: "struct" | "no-unresolved-refs";
  message: string;
  source: Source;
  /** Undefined for a parse error, located by `line`/`column` instead. */
  pointer?: string;
  reportOnKey: boolean;
  line?: number;
  column?: number;
  /** For an unresolvable reference: the `$ref` as written (the message is Redocly's, which does not name it). */
  ref?: string;
}

/** What Redocly's bundler would do to a single-file document, in its walk order. */
export type BundleStep =
  /** A `$ref` in a scalar position (e.g. an example's `value`) is replaced by its target. */
  | { kind: "inline"; parent: Record<string | number, unknown>; key: string | number; ref: Record<string, unknown>; target: unknown }
  /** A discriminator mapping's entries are rewritten as references to components. */
  | { kind: "mapping"; mapping: unknown; place: Place };

export interface StructureResult {
  problems: StructureProblem[];
  /** A `$ref` into another file or an `externalValue`: only Redocly's bundler can bundle it. */
  external: boolean;
  steps: BundleStep[];
  resolve: (value: unknown, from: Source) => { node: unknown; place?: Place };
}

const SCALAR: NodeType = { name: "scalar", properties: {} };
const REF_ID = "::";

export function checkStructure(
  root: { source: Source; parsed: unknown },
  rootType: NodeType,
  resolvedRefs: Map<string, ResolvedRef>,
  specExtension: NodeType,
): StructureResult {
  const problems: StructureProblem[] = [];
  const seenPerType = new Map<string, Set<unknown>>();
  /** Nodes whose remaining visitors are skipped, keyed by node, then by location. */
  const ignored = new Map<unknown, Set<string>>();
  let external = false;
  const steps: BundleStep[] = [];

  const report = (ruleId: StructureProblem["ruleId"], message: string, place: Place, reportOnKey = false) =>
    problems.push({ ruleId, message, source: place.source, pointer: place.pointer, reportOnKey });

  const resolve = (value: unknown, from: Source, place?: Place): { node: unknown; place?: Place; error?: ResolvedRef["error"] } => {
    if (!isRef(value)) return { node: value, place };
    const entry = resolvedRefs.get(from.absoluteRef + REF_ID + value.$ref);
    if (!entry) return { node: undefined };
    const target = entry.resolved
      ? new Place(entry.document!.source, undefined, entry.nodePointer!)
      : entry.error instanceof YamlParseError
        ? new Place(entry.error.source, undefined, "")
        : undefined;
    return { node: entry.node, place: target, error: entry.error };
  };

  const isIgnored = (node: unknown, place: Place) => {
    const pointers = ignored.get(node);
    return pointers !== undefined && pointers.has(place.source.absoluteRef + "\0" + place.pointer);
  };
  const ignore = (node: unknown, place: Place) => {
    let pointers = ignored.get(node);
    if (!pointers) ignored.set(node, (pointers = new Set()));
    pointers.add(place.source.absoluteRef + "\0" + place.pointer);
  };

  const unresolved = (resolved: { error?: ResolvedRef["error"] }, place: Place, ref: string) => {
    const error = resolved.error;
    if (error instanceof YamlParseError) {
      problems.push({ ruleId: "no-unresolved-refs", message: "Failed to parse: " + error.message, source: error.source, reportOnKey: false, line: error.line, column: error.col });
    }
    report("no-unresolved-refs", `Can't resolve $ref${error?.message ? ": " + error.message : ""}`, place);
    problems[problems.length - 1]!.ref = ref;
  };

  /** Redocly's `struct` rule on one node; returns whether it asked to skip the node's other visitors. */
  const struct = (node: unknown, type: NodeType, place: Place, key: string | number | undefined): boolean => {
    let skip = false;
    const nodeType = oasTypeOf(node);
    if (type.items) {
      if (nodeType !== "array") {
        report("struct", `Expected type \`${type.name}\` (array) but got \`${nodeType}\``, place);
        return true;
      }
      return false;
    }
    if (nodeType !== "object") {
      if (type !== specExtension) report("struct", `Expected type \`${type.name}\` (object) but got \`${nodeType}\``, place);
      return true;
    }
    const object = node as Record<string, unknown>;
    const required = typeof type.required === "function" ? type.required(node, key) : type.required;
    for (const name of required ?? []) {
      if (!hasOwn(object, name)) report("struct", `The field \`${name}\` must be present on this level.`, place, true);
    }
    const allowed = type.allowed?.(node);
    if (allowed) {
      const known = Object.keys(type.properties);
      for (const name in object) {
        if (allowed.includes(name) || (type.extensionsPrefix && name.startsWith(type.extensionsPrefix)) || !known.includes(name)) continue;
        report("struct", `The field \`${name}\` is not allowed here.`, place.child(name), true);
      }
    }
    if (type.requiredOneOf && !type.requiredOneOf.some((name) => hasOwn(object, name))) {
      report("struct", `Must contain at least one of the following fields: ${type.requiredOneOf.join(", ")}.`, place, true);
    }
    for (const name of Object.keys(object)) {
      let value = object[name];
      // Own properties only: Redocly's `type.properties[name]` finds `Object` for a property named
    // "constructor" and inlines its `$ref`, making the document cyclic.
    let propType = Object.hasOwn(type.properties, name) ? type.properties[name] : undefined;
      if (propType === undefined) propType = type.additionalProperties;
      if (typeof propType === "function") propType = propType(value, name);
      if (isNamedType(propType)) continue; // checked when the walk enters it
      const schema = propType as PropertySchema | null | undefined;
      const valueType = oasTypeOf(value);
      if (schema === undefined) {
        if (!name.startsWith("x-")) report("struct", `Property \`${name}\` is not expected here.`, place.child(name), true);
        continue;
      }
      if (schema === null) continue;
      if (schema.resolvable !== false && isRef(value)) value = resolve(value, place.source, place).node;
      if (schema.items?.enum && Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkEnum(schema.items.enum, value[i], name, place.child(name, i));
      }
      if (schema.enum) checkEnum(schema.enum, value, name, place.child(name));
      else if (schema.type && !matchesType(value, schema.type)) {
        report("struct", `Expected type \`${schema.type}\` but got \`${valueType}\`.`, place.child(name));
        skip = true;
      } else if (valueType === "array" && schema.items?.type) {
        const items = value as unknown[];
        for (let i = 0; i < items.length; i++) {
          if (!matchesType(items[i], schema.items.type)) report("struct", `Expected type \`${schema.items.type}\` but got \`${oasTypeOf(items[i])}\`.`, place.child(name).child(i));
        }
      }
      if (typeof schema.minimum === "number" && schema.minimum > (object[name] as number)) {
        report("struct", `The value of the ${name} field must be greater than or equal to ${schema.minimum}`, place.child(name));
      }
      if (name === "nullable" && !object.type) report("struct", "The `type` field must be defined when the `nullable` field is used.", place.child(name));
    }
    return skip;
  };

  const checkEnum = (values: unknown[], value: unknown, name: string, place: Place) => {
    if (!values.includes(value)) report("struct", `\`${name}\` can be one of the following only: ${values.map((v) => `"${v}"`).join(", ")}.`, place);
  };

  /**
   * Walks still to do, the next on top. A node's children are queued in order and then reversed,
   * so the walk visits nodes in the same order as recursion would (Redocly's), without a stack
   * frame per level: `$ref` chains hundreds deep are followed inline.
   */
  const pending: Parameters<typeof walk>[] = [];
  const queue = (...args: Parameters<typeof walk>) => void pending.push(args);

  const walk = (node: unknown, type: NodeType, place: Place, parent: unknown, key: string | number): void => {
    const ref = isRef(node);
    const resolved = resolve(node, place.source, place);
    if (ref && resolved.place && resolved.node !== undefined) {
      if (resolved.place.source !== root.source || place.source !== root.source) external = true;
      else if (type.name === "scalar") steps.push({ kind: "inline", parent: parent as never, key, ref: node as never, target: resolved.node });
    }
    const target = resolved.node;
    const targetPlace = resolved.place;
    if (target !== undefined && targetPlace && type.name !== "scalar") {
      let seen = seenPerType.get(type.name);
      if (!seen) seenPerType.set(type.name, (seen = new Set()));
      if (!seen.has(target)) {
        seen.add(target);
        if (!isIgnored(target, targetPlace)) {
          if (struct(target, type, targetPlace, key)) ignore(target, targetPlace);
          if (type.name === "DiscriminatorMapping" && !isIgnored(target, targetPlace)) checkMapping(target as Record<string, unknown>, targetPlace);
        }
        if (type.name === "DiscriminatorMapping") steps.push({ kind: "mapping", mapping: target, place: targetPlace });
        if (type.name === "Example" && isPlainObject(target) && typeof target.externalValue === "string") external = true;
        const first = pending.length;
        walkChildren(node, target, type, place, targetPlace);
        reverseFrom(pending, first);
      }
    }
    if (ref && resolved.node === undefined) unresolved(resolved, place, (node as { $ref: string }).$ref);
  };

  const checkMapping = (mapping: Record<string, unknown>, place: Place) => {
    for (const name of Object.keys(mapping)) {
      const value = mapping[name];
      // A bare schema name (`Dog`) is no reference, as Redocly reads mappings (isMappingRef): nothing to resolve.
      if (typeof value === "string" && !isMappingRef(value)) continue;
      const resolved = resolve({ $ref: value }, place.source, place);
      if (resolved.node !== undefined) return; // Redocly's rule stops at the first resolvable entry
      unresolved(resolved, place.child(name), String(mapping[name]));
    }
  };

  /** Children in Redocly's order: the type's properties first, then the node's others. */
  const walkChildren = (raw: unknown, node: unknown, type: NodeType, rawPlace: Place, place: Place) => {
    if (Array.isArray(node)) {
      const items = type.items;
      if (items === undefined) return;
      for (let i = 0; i < node.length; i++) {
        const itemType = typeof items === "function" ? items(node[i], absolutePointer(place.child(i))) : items;
        if (isNamedType(itemType)) queue(node[i], itemType, place.child(i), node, i);
      }
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const object = node as Record<string, unknown>;
    const sibling = isRef(raw) ? (raw as unknown as Record<string, unknown>) : undefined;
    const declared = declaredOrder(type);
    const present: string[] = [];
    const extra: string[] = [];
    for (const name of Object.keys(object)) {
      const isDeclared = declared.has(name);
      if (isDeclared) present.push(name);
      if (type.additionalProperties ? !isDeclared : type.extensionsPrefix !== undefined && name.startsWith(type.extensionsPrefix)) extra.push(name);
    }
    if (sibling) {
      // Declared properties may come from either node: all of them, in order, as Redocly lists them.
      for (const name of declared.keys()) visitProperty(object, sibling, type, place, rawPlace, name);
    } else {
      // The same order without visiting every declared property of (say) Schema for each node.
      if (present.length > 1) present.sort((a, b) => declared.get(a)! - declared.get(b)!);
      for (const name of present) visitProperty(object, sibling, type, place, rawPlace, name);
    }
    for (const name of extra) visitProperty(object, sibling, type, place, rawPlace, name);
    if (sibling) {
      const listed = new Set([...declared.keys(), ...extra]);
      for (const name of Object.keys(sibling)) if (name !== "$ref" && !listed.has(name)) visitProperty(object, sibling, type, place, rawPlace, name);
    }
  };

  function visitProperty(object: Record<string, unknown>, sibling: Record<string, unknown> | undefined, type: NodeType, place: Place, rawPlace: Place, name: string): void {
    let value = object[name];
    let base = place;
    if (value === undefined && sibling) {
      value = sibling[name];
      base = rawPlace; // siblings of `$ref` belong to the referring node
    }
    if (value === undefined) return; // nothing to walk (Redocly's walk of it does nothing)
    // Own properties only: Redocly's `type.properties[name]` finds `Object` for a property named
    // "constructor" and inlines its `$ref`, making the document cyclic.
    let propType = Object.hasOwn(type.properties, name) ? type.properties[name] : undefined;
    if (propType === undefined) propType = type.additionalProperties;
    if (typeof propType === "function") propType = propType(value, name);
    if (propType === undefined && type.extensionsPrefix && name.startsWith(type.extensionsPrefix)) propType = specExtension;
    if (!isNamedType(propType) && (propType as PropertySchema | null)?.directResolveAs) {
      propType = (propType as PropertySchema).directResolveAs;
      value = { $ref: value };
    }
    if (propType && propType.name === undefined && (propType as PropertySchema).resolvable !== false) propType = SCALAR;
    if (!isNamedType(propType) || (propType.name === "scalar" && !isRef(value))) return;
    queue(value, propType, base.child(name), object, name);
  }

  queue(root.parsed, rootType, new Place(root.source, undefined, "#/"), undefined, "");
  for (let next = pending.pop(); next; next = pending.pop()) walk(...next);
  return { problems, external, steps, resolve: (value, from) => resolve(value, from) };
}

/** Reverses `items[from..]` in place. */
function reverseFrom(items: unknown[], from: number): void {
  for (let i = from, j = items.length - 1; i < j; i++, j--) [items[i], items[j]] = [items[j], items[i]];
}

function absolutePointer(place: Place): string {
  return place.source.absoluteRef + (place.pointer === "#/" ? "" : place.pointer);
}

const declaredCache = new WeakMap<NodeType, Map<string, number>>();
/** A type's declared properties, each with its position in Redocly's visiting order. */
function declaredOrder(type: NodeType): Map<string, number> {
  let order = declaredCache.get(type);
  if (!order) declaredCache.set(type, (order = new Map(Object.keys(type.properties).map((name, i) => [name, i]))));
  return order;
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isNamedType(t: unknown): t is NodeType {
  return typeof (t as { name?: unknown } | null | undefined)?.name === "string";
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function oasTypeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}
