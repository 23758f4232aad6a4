/**
 * Where openapi-typescript's types say more than a schema checks: it narrows a discriminator
 * property to the literal that picks the schema (`petType: "cat"` in `Cat`, whose schema says
 * `petType: string`), for the `$ref` options and mapping targets of a `oneOf` with a `discriminator`,
 * and for schemas inheriting one through `allOf` (its scanDiscriminators and createDiscriminatorProperty).
 * `CatSchema.parse({ petType: "dog", … })` succeeds, so typing it `components["schemas"]["Cat"]`
 * would lie; so would typing any schema that reaches `Cat` by a plain `$ref`. Through the
 * discriminated union itself (`rt.discriminated`: the value picks the alternative) the literal
 * holds, provided the target belongs to that one union only (openapi-typescript narrows a target once).
 *
 * This marks a superset of what openapi-typescript narrows (anyOf unions and every `allOf`
 * inheritor count): a constant it marks stays `z.ZodType`, which is never a lie.
 */
import { mappingRef, pointerOf } from "../diagnostics.js";
import { getPointer } from "../model.js";
import { findObject } from "../walk.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const hasDiscriminator = (node: Obj) => isObj(node.discriminator) && typeof node.discriminator.propertyName === "string";
const optionsOf = (node: Obj) => [node.oneOf, node.anyOf].find((o): o is unknown[] => Array.isArray(o) && o.length > 0);
const isRefObject = (v: unknown): v is { $ref: string } => isObj(v) && typeof v.$ref === "string";

/** The `$ref`s a discriminated union names: its options and mapping targets. */
function unionTargets(node: Obj): string[] {
  const targets = (optionsOf(node) ?? []).filter(isRefObject).map((o) => o.$ref);
  const mapping = (node.discriminator as Obj).mapping;
  if (isObj(mapping)) for (const target of Object.values(mapping)) if (typeof target === "string") targets.push(mappingRef(target));
  return [...new Set(targets)];
}

export class NarrowingIndex {
  /** Union target `$ref` → how many discriminated unions name it. */
  readonly #unions = new Map<string, number>();
  readonly #inherits = new Map<string, boolean>();
  /** `$ref`s whose schema (or what it reaches) holds a narrowed schema other than through an enforcing union. */
  readonly #dirty = new Set<string>();

  constructor(private readonly document: unknown) {
    const refs = new Set<string>();
    let discriminators = false;
    findObject(document, (node) => {
      if (Array.isArray(node)) return;
      const object = node as Obj;
      if (typeof object.$ref === "string") refs.add(object.$ref);
      if (!hasDiscriminator(object)) return;
      discriminators = true;
      if (optionsOf(object)) for (const target of unionTargets(object)) this.#unions.set(target, (this.#unions.get(target) ?? 0) + 1);
    });
    if (!discriminators) return;
    // Component schemas are constants whether or not anything references them.
    const schemas = (document as { components?: { schemas?: unknown } }).components?.schemas;
    if (isObj(schemas)) for (const name of Object.keys(schemas)) refs.add(pointerOf("components", "schemas", name));
    this.#propagate(refs);
  }

  /** Whether openapi-typescript's type for the schema at `ref` may claim a discriminator literal its schema does not check. */
  misdescribed(ref: string): boolean {
    return this.#narrowed(ref, false) || this.#dirty.has(ref);
  }

  /** The schema at `ref` has a discriminator, or inherits one (`allOf` with a `$ref` to such a schema). */
  #inheritsRef(ref: string, stack = new Set<string>()): boolean {
    const known = this.#inherits.get(ref);
    if (known !== undefined) return known;
    if (stack.has(ref)) return false;
    stack.add(ref);
    const target = getPointer(this.document, ref);
    const result = isObj(target) && (hasDiscriminator(target) || this.#inheritsNode(target, stack));
    stack.delete(ref);
    this.#inherits.set(ref, result);
    return result;
  }

  #inheritsNode(node: Obj, stack = new Set<string>()): boolean {
    return Array.isArray(node.allOf) && node.allOf.some((part) => isRefObject(part) && this.#inheritsRef(part.$ref, stack));
  }

  /**
   * Whether the type of the schema at `ref`, reached by an edge that is (`enforced`) or is not an
   * option of a discriminated union, has a literal its schema does not check: a union target
   * reached other than through its one union, or an `allOf` inheritor.
   */
  #narrowed(ref: string, enforced: boolean): boolean {
    const unions = this.#unions.get(ref);
    if (unions !== undefined && !(enforced && unions === 1)) return true;
    const target = getPointer(this.document, ref);
    return isObj(target) && this.#inheritsNode(target);
  }

  /** Every `$ref` target's own edges, then dirtiness flowing back along them (linear in the reference graph). */
  #propagate(refs: Set<string>): void {
    const referrers = new Map<string, Set<string>>();
    const seeds: string[] = [];
    for (const ref of refs) {
      const root = getPointer(this.document, ref);
      const enforcedOptions = new Set<object>();
      let dirty = false;
      findObject(root, (node) => {
        if (Array.isArray(node)) return;
        const object = node as Obj;
        // An allOf inheriting a discriminator inside the schema: openapi-typescript adds a literal there.
        if (this.#inheritsNode(object) && object !== root) dirty = true;
        if (hasDiscriminator(object) && optionsOf(object)?.every(isRefObject)) {
          for (const option of optionsOf(object)!) enforcedOptions.add(option as object);
          for (const target of unionTargets(object)) if (this.#narrowed(target, true)) dirty = true;
          for (const target of unionTargets(object)) (referrers.get(target) ?? referrers.set(target, new Set()).get(target)!).add(ref);
        }
        if (object !== root && typeof object.$ref === "string" && !enforcedOptions.has(object)) {
          if (this.#narrowed(object.$ref, false)) dirty = true;
          (referrers.get(object.$ref) ?? referrers.set(object.$ref, new Set()).get(object.$ref)!).add(ref);
        }
      });
      if (isObj(root) && typeof root.$ref === "string") {
        // An alias (`A: { $ref: B }`): its type is B's.
        if (this.#narrowed(root.$ref, false)) dirty = true;
        (referrers.get(root.$ref) ?? referrers.set(root.$ref, new Set()).get(root.$ref)!).add(ref);
      }
      if (dirty) seeds.push(ref);
    }
    for (let ref = seeds.pop(); ref !== undefined; ref = seeds.pop()) {
      if (this.#dirty.has(ref)) continue;
      this.#dirty.add(ref);
      for (const referrer of referrers.get(ref) ?? []) if (!this.#dirty.has(referrer)) seeds.push(referrer);
    }
  }
}
