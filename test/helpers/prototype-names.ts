/** Every member name of `Object.prototype` (Node 20), in one order the tests and fixtures share. */
export const PROTOTYPE_MEMBER_NAMES = [
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
] as const;
