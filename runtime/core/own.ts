/**
 * Any name is a name: maps built from a request hold `constructor`, `toString` or `__proto__` as
 * keys like any other. A plain `{}` inherits Object.prototype's members (an absent `constructor`
 * reads as a function) and `{}["__proto__"] = v` sets its prototype instead of a key, so maps
 * built from input have no prototype, and maps received from elsewhere are read by own keys only.
 */

/**
 * Instances inherit from one empty object that has no prototype: no Object.prototype member is
 * inherited and `__proto__` is a plain key. Unlike `Object.create(null)` objects, which V8 keeps
 * in (slow) dictionary mode, they keep fast properties (Node's querystring does the same).
 */
const Empty = function () {} as unknown as new () => object;
Empty.prototype = Object.freeze(Object.create(null));

/** An empty map inheriting nothing: lookups see its own keys only, `__proto__` is a key. */
export function ownMap<T>(): Record<string, T> {
  return new Empty() as Record<string, T>;
}

/** `map[key]` when it is the map's own property; never an inherited member. */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Defines `key` as an own, enumerable data property (for `__proto__`, plain assignment would set the prototype). */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * A JSON value with every object copied into one without a prototype, at any depth, so that a
 * schema asking for an absent `constructor` sees nothing (zod reads `input[key]` and `key in input`).
 * `leaf` maps values that are not plain JSON containers (bytes, for multipart).
 */
export function withoutPrototypes(value: unknown, leaf: (value: unknown) => unknown = (v) => v): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutPrototypes(item, leaf));
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return leaf(value);
  const out = ownMap<unknown>();
  // for…in (not Object.entries): no pair arrays; own keys only, whatever the prototype holds.
  for (const key in value) if (Object.hasOwn(value, key)) out[key] = withoutPrototypes((value as Record<string, unknown>)[key], leaf);
  return out;
}
