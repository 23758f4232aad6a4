/** Identifier rules for generated TypeScript: every name from the spec goes through here. */

const RESERVED = new Set(
  (
    // Object.prototype members too: a handler named like one would look implemented when it is missing.
    "hasOwnProperty isPrototypeOf propertyIsEnumerable toLocaleString toString valueOf " +
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield any boolean constructor declare get module require number set string symbol type from of await async never unknown object undefined"
  ).split(" "),
);

/** Names the generated modules declare themselves, or globals they must not shadow. */
const TAKEN = new Set(
  "Handlers HandlerContext OperationHandler RequestOf ResponseOf RegisterOptions Extension Service Client ClientOptions ClientMethods WebhookClientMethods paths components operations webhooks $defs z register createClient service operationTable openapiSpec responseBuilders Readable Writable Promise Object Array Error Map Set JSON Math Date Number String Boolean Symbol Record Partial".split(
    " ",
  ),
);

function words(raw: string): string[] {
  return raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

export function pascalCase(raw: string): string {
  const out = words(raw)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return /^[0-9]/.test(out) ? "_" + out : out || "_";
}

export function camelCase(raw: string): string {
  const pascal = pascalCase(raw);
  if (pascal.startsWith("_")) return pascal;
  const out = pascal[0]!.toLowerCase() + pascal.slice(1);
  return RESERVED.has(out) ? out + "_" : out;
}

/** A value or type name that is safe at module scope in generated code. */
export function safeTypeName(raw: string): string {
  const name = pascalCase(raw);
  return TAKEN.has(name) || RESERVED.has(name) ? name + "_" : name;
}

/** Hands out names, adding a numeric suffix when two inputs map to the same name. */
export class NameScope {
  #used = new Set<string>();
  constructor(taken: Iterable<string> = []) {
    for (const t of taken) this.#used.add(t);
  }
  claim(name: string): string {
    let candidate = name;
    for (let i = 2; this.#used.has(candidate); i++) candidate = `${name}${i}`;
    this.#used.add(candidate);
    return candidate;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string literal with every character that could end it or a line escaped. */
export function stringLiteral(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * An object-literal key as written in code: bare when it is an identifier, quoted (escaped) otherwise.
 * `__proto__` is computed: as a plain or quoted key it would set the object's prototype, not a property.
 */
export function propertyKey(name: string): string {
  if (name === "__proto__") return `[${stringLiteral(name)}]`;
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}

/**
 * A JSON value (a default, enum, const or coercion shape) as a JavaScript expression. Not
 * `JSON.stringify`: as an object literal's key, `"__proto__"` would set the prototype and the key
 * would be lost; `propertyKey` makes it computed, an own property.
 */
export function valueLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(valueLiteral).join(", ")}]`;
  if (value === null || typeof value !== "object") return typeof value === "string" ? stringLiteral(value) : JSON.stringify(value);
  const entries = Object.entries(value);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${valueLiteral(v)}`).join(", ")} }`;
}

/** Text for a `/** ... *\/` comment: cannot close the comment early or inject code. */
export function docComment(lines: (string | undefined)[], indent = ""): string {
  const text = lines
    .filter((l): l is string => typeof l === "string" && l.trim() !== "")
    .join("\n\n")
    .replace(/\r\n?/g, "\n")
    .replace(/\*\//g, "*\\/")
    .replace(/[\u2028\u2029]/g, " ");
  if (!text) return "";
  const body = text.split("\n").map((l) => (l.trimEnd() ? `${indent} * ${l.trimEnd()}` : `${indent} *`));
  return `${indent}/**\n${body.join("\n")}\n${indent} */\n`;
}
