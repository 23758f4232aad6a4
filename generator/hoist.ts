/**
 * `$ref`s into another schema's inside (`#/components/schemas/A/properties/b/allOf/0`, or into a
 * parameter's or a body's schema) made into references to components of their own, before any
 * emitter reads the document.
 *
 * openapi-typescript prints such a reference as an indexed access into A's type, dropping only
 * `properties`: `components["schemas"]["A"]["b"]["allOf"][0]` does not exist (TS2339), an optional
 * `b` adds `undefined` to index through, and a schema reaching itself that way is circular (TS2502).
 * Each such target becomes `components.schemas["A.b.allOf.0"]` (the same object, so it stays where
 * it is too) and every reference to it, mapping values included, names that component: the types
 * and the decoders both see one named schema. Names are the target's path with `properties`
 * dropped, reduced to the characters a component name allows, and suffixed when taken.
 */
import { isRef } from "@redocly/openapi-core/lib/ref-utils.js";
import { pointerOf, referenceTokens } from "./diagnostics.js";
import type { OpenApiDocument } from "./load.js";
import { forEachReference, type Reference } from "./load/references.js";

type Obj = Record<string, unknown>;
const SCHEMAS = ["components", "schemas"];

/** Adds a component for each schema reached by a `$ref` into another one, and points those `$ref`s at it. */
export function hoistInternalTargets(document: OpenApiDocument): void {
  const references: [Reference, string[]][] = [];
  forEachReference(document, (reference) => {
    if (reference.kind !== "$ref" && reference.kind !== "mapping") return;
    if (!reference.written.startsWith("#/")) return;
    const target = canonical(document, reference.written, new Set());
    if (!target) return;
    // Also a reference reaching a component through another's `$ref` (`A/properties/b` where b is `$ref: B`): it names B.
    if (isInternal(target) || (isComponent(target) && !sameSegments(referenceTokens(reference.written), target))) references.push([reference, target]);
  });
  if (references.length === 0) return;
  // Named in pointer order, so that a name does not depend on where the references are.
  const targets = new Map(references.filter(([, target]) => isInternal(target)).map(([, target]) => [pointerOf(...target), target]));
  const components = (document.components ??= {});
  const schemas = targets.size > 0 ? (components.schemas ??= {}) : {};
  const taken = new Set(Object.keys(schemas));
  const names = new Map<string, string>();
  for (const pointer of [...targets.keys()].sort()) {
    const target = targets.get(pointer)!;
    const name = claim(taken, nameOf(target.slice(target[0] === "components" ? 2 : 1)));
    names.set(pointer, name);
    schemas[name] = at(document, target);
  }
  for (const [reference, target] of references) {
    reference.holder[reference.key] = isInternal(target) ? pointerOf(...SCHEMAS, names.get(pointerOf(...target))!) : pointerOf(...target);
  }
}

function isComponent(segments: string[]): boolean {
  return segments.length === 3 && segments[0] === "components" && segments[1] === "schemas";
}

/**
 * A schema, or inside one, that is not a component schema itself: deeper than `#/components/schemas/<name>`,
 * or at or under the `schema` of a media type, parameter or header (`#/components/parameters/P/schema`,
 * `#/paths/~1a/post/requestBody/content/application~1json/schema/properties/x`).
 */
function isInternal(segments: string[]): boolean {
  if (segments[0] === "components" && segments[1] === "schemas") return segments.length > 3;
  return segments.some((segment, i) => segment === "schema" && i >= 2 && ["content", "parameters", "headers"].includes(segments[i - 2]!));
}

/**
 * The path of what a local `$ref` reaches, as Redocly resolves it: a segment missing on a `$ref`
 * object is looked up in that reference's target, and a target that is itself a `$ref` is followed.
 */
function canonical(document: unknown, ref: string, seen: Set<string>): string[] | undefined {
  if (!ref.startsWith("#") || seen.has(ref)) return undefined;
  seen.add(ref);
  let path: string[] = [];
  let node: unknown = document;
  for (const segment of referenceTokens(ref)) {
    if (isRef(node) && !Object.hasOwn(node, segment)) {
      const through = canonical(document, node.$ref as string, seen);
      if (!through) return undefined;
      path = [...through];
      node = at(document, path);
    }
    // Own keys only: a property named "constructor" is not Object.prototype's.
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment) || (node as Obj)[segment] === undefined) return undefined;
    node = (node as Obj)[segment];
    path.push(segment);
  }
  return isRef(node) ? canonical(document, node.$ref, seen) : path;
}

function sameSegments(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

function at(document: unknown, segments: string[]): unknown {
  let node = document;
  for (const segment of segments) node = (node as Obj)[segment];
  return node;
}

/** `A/properties/b/allOf/0` → `A.b.allOf.0` (`P/schema` → `P.schema`), in the characters OpenAPI allows in a component name. */
function nameOf(segments: string[]): string {
  const kept = segments.filter((segment, i) => !(segment === "properties" && i > 0 && segments[i - 1] !== "properties" && i < segments.length - 1));
  return kept.map((segment) => segment.replace(/[^A-Za-z0-9._-]/g, "_")).join(".");
}

function claim(taken: Set<string>, base: string): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}
