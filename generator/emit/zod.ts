/**
 * JSON Schema (OpenAPI 3.0 and 3.1 dialects) → zod expressions.
 * Every `$ref` becomes a named constant, emitted before its first use; a
 * reference back into a constant still being built (recursion) is wrapped in
 * `z.lazy`. Constants are annotated `z.ZodType` so the compiler never infers
 * zod types from them: handler types come from the spec's types instead.
 */
import { getPointer } from "../model.js";
import { NameScope, pascalCase, propertyKey, stringLiteral } from "../names.js";
import type { JsonSchema } from "../model.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const literal = (v: unknown) => (typeof v === "string" ? stringLiteral(v) : JSON.stringify(v));

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const OBJECT_KEYWORDS = ["properties", "additionalProperties", "required", "minProperties", "maxProperties", "patternProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "minItems", "maxItems", "uniqueItems"];

export interface NamedSchema {
  name: string;
  code: string;
}

export class ZodEmitter {
  /** `$ref` → constant name. */
  #names = new Map<string, string>();
  #scope = new NameScope();
  #done = new Set<string>();
  #inProgress = new Set<string>();
  /** Emitted constants, dependencies first. */
  readonly constants: NamedSchema[] = [];

  constructor(
    private readonly document: unknown,
    private readonly openapiVersion: string,
    /** Prefix for references to constants from outside the schemas module (e.g. "schemas."). */
    private refPrefix = "",
  ) {}

  /** Emits one constant per component schema, in dependency order. */
  emitComponents(schemas: Record<string, JsonSchema>): void {
    for (const name of Object.keys(schemas)) this.#ensure(`#/components/schemas/${escapeToken(name)}`);
  }

  /** An expression for a schema used inline (operations module). */
  inline(schema: JsonSchema | undefined, prefix: string): string {
    const saved = this.refPrefix;
    this.refPrefix = prefix;
    try {
      return this.expr(schema);
    } finally {
      this.refPrefix = saved;
    }
  }

  constName(ref: string): string {
    let name = this.#names.get(ref);
    if (!name) {
      const tail = decodeToken(ref.split("/").pop() ?? "Schema");
      name = this.#scope.claim(pascalCase(tail) + "Schema");
      this.#names.set(ref, name);
    }
    return name;
  }

  #ensure(ref: string): void {
    if (this.#done.has(ref) || this.#inProgress.has(ref)) return;
    const name = this.constName(ref);
    this.#inProgress.add(ref);
    const target = getPointer(this.document, ref) as JsonSchema | undefined;
    const saved = this.refPrefix;
    this.refPrefix = "";
    const code = target === undefined ? "z.unknown()" : this.expr(target);
    this.refPrefix = saved;
    this.#inProgress.delete(ref);
    this.#done.add(ref);
    this.constants.push({ name, code });
  }

  #ref(ref: string): string {
    if (!ref.startsWith("#")) return "z.unknown()";
    this.#ensure(ref);
    const name = this.refPrefix + this.constName(ref);
    return this.#inProgress.has(ref) || !this.#done.has(ref) ? `z.lazy(() => ${name})` : name;
  }

  expr(schema: JsonSchema | undefined): string {
    if (schema === undefined || schema === true) return "z.unknown()";
    if (schema === false) return "z.never()";
    if (!isObj(schema)) return "z.unknown()";
    let out = this.#core(schema);
    if (schema.nullable === true && !this.#is31()) out = `${out}.nullable()`;
    if (schema.default !== undefined) out = `${out}.default(${literal(schema.default)})`;
    return out;
  }

  #is31(): boolean {
    return !this.openapiVersion.startsWith("3.0");
  }

  #core(schema: Obj): string {
    const parts: string[] = [];
    if (typeof schema.$ref === "string") {
      parts.push(this.#ref(schema.$ref));
      // 3.0 ignores siblings of $ref; 3.1 applies them.
      if (!this.#is31()) return parts[0]!;
    }
    if (schema.enum !== undefined && Array.isArray(schema.enum)) {
      parts.push(enumExpr(schema.enum));
    } else if ("const" in schema) {
      parts.push(`rt.constOf(${literal(schema.const)})`);
    } else {
      const typed = this.#typed(schema);
      if (typed) parts.push(typed);
    }
    const composition = this.#composition(schema);
    if (composition) parts.push(composition);
    if (isObj(schema.not) || typeof schema.not === "boolean") parts.push(`rt.not(${this.expr(schema.not as JsonSchema)})`);
    if (parts.length === 0) return "z.unknown()";
    return parts.length === 1 ? parts[0]! : `rt.allOf([${parts.join(", ")}])`;
  }

  #composition(schema: Obj): string | undefined {
    const pieces: string[] = [];
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      const all = schema.allOf.map((s) => this.expr(s as JsonSchema));
      pieces.push(all.length === 1 ? all[0]! : `rt.allOf([${all.join(", ")}])`);
    }
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const options = schema[keyword];
      if (!Array.isArray(options) || options.length === 0) continue;
      const exprs = options.map((s) => this.expr(s as JsonSchema));
      const discriminator = this.#discriminator(schema, options);
      if (discriminator) pieces.push(discriminator);
      else pieces.push(exprs.length === 1 ? exprs[0]! : keyword === "oneOf" ? `rt.oneOf([${exprs.join(", ")}])` : `rt.anyOf([${exprs.join(", ")}])`);
    }
    if (pieces.length === 0) return undefined;
    return pieces.length === 1 ? pieces[0] : `rt.allOf([${pieces.join(", ")}])`;
  }

  #discriminator(schema: Obj, options: unknown[]): string | undefined {
    const d = schema.discriminator;
    if (!isObj(d) || typeof d.propertyName !== "string") return undefined;
    const mapping = new Map<string, string>();
    const explicit = isObj(d.mapping) ? d.mapping : {};
    for (const [value, target] of Object.entries(explicit)) {
      if (typeof target !== "string") continue;
      const ref = target.startsWith("#") ? target : `#/components/schemas/${escapeToken(target)}`;
      mapping.set(value, ref);
    }
    const referenced = new Set(mapping.values());
    for (const option of options) {
      if (!isObj(option) || typeof option.$ref !== "string") return undefined; // inline options: plain oneOf
      if (referenced.has(option.$ref)) continue;
      mapping.set(decodeToken(option.$ref.split("/").pop()!), option.$ref);
    }
    const entries = [...mapping].map(([value, ref]) => `${propertyKey(value)}: () => ${this.#ref(ref)}`);
    return `rt.discriminated(${stringLiteral(d.propertyName)}, { ${entries.join(", ")} })`;
  }

  /** Types: `type` (string or 3.1 array), else inferred from type-specific keywords. */
  #typed(schema: Obj): string | undefined {
    let types: string[];
    if (typeof schema.type === "string") types = [schema.type];
    else if (Array.isArray(schema.type)) types = schema.type.filter((t): t is string => typeof t === "string");
    else {
      types = [];
      if (OBJECT_KEYWORDS.some((k) => k in schema)) types.push("object");
      if (ARRAY_KEYWORDS.some((k) => k in schema)) types.push("array");
      if (STRING_KEYWORDS.some((k) => k in schema)) types.push("string");
      if (NUMBER_KEYWORDS.some((k) => k in schema)) types.push("number");
      if (types.length === 0) return undefined;
      // Untyped keywords only constrain values of their type; others pass.
      if (types.length < 7) return `z.union([${[...types.map((t) => this.#ofType(schema, t)), "rt.notOfTypes(" + JSON.stringify(types) + ")"].join(", ")}])`;
    }
    const exprs = [...new Set(types)].map((t) => this.#ofType(schema, t));
    return exprs.length === 1 ? exprs[0] : `z.union([${exprs.join(", ")}])`;
  }

  #ofType(schema: Obj, type: string): string {
    switch (type) {
      case "string":
        return this.#string(schema);
      case "integer":
      case "number":
        return this.#number(schema, type);
      case "boolean":
        return "z.boolean()";
      case "null":
        return "z.null()";
      case "array":
        return this.#array(schema);
      case "object":
        return this.#object(schema);
      default:
        return "z.unknown()";
    }
  }

  #string(schema: Obj): string {
    let out = typeof schema.format === "string" && STRING_FORMATS.has(schema.format) ? `rt.stringFormat(${stringLiteral(schema.format)})` : "z.string()";
    if (typeof schema.minLength === "number") out += `.min(${schema.minLength})`;
    if (typeof schema.maxLength === "number") out += `.max(${schema.maxLength})`;
    if (typeof schema.pattern === "string") out += regexCheck(schema.pattern);
    return out;
  }

  #number(schema: Obj, type: string): string {
    let out = type === "integer" ? "rt.integer()" : "z.number()";
    const exclusive31 = (k: string) => typeof schema[k] === "number";
    if (typeof schema.minimum === "number") out += schema.exclusiveMinimum === true ? `.gt(${schema.minimum})` : `.gte(${schema.minimum})`;
    if (exclusive31("exclusiveMinimum")) out += `.gt(${schema.exclusiveMinimum})`;
    if (typeof schema.maximum === "number") out += schema.exclusiveMaximum === true ? `.lt(${schema.maximum})` : `.lte(${schema.maximum})`;
    if (exclusive31("exclusiveMaximum")) out += `.lt(${schema.exclusiveMaximum})`;
    if (typeof schema.multipleOf === "number" && schema.multipleOf > 0) out = `rt.multipleOf(${out}, ${schema.multipleOf})`;
    return out;
  }

  #array(schema: Obj): string {
    const tupleItems = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
    let out: string;
    if (tupleItems) {
      const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
      const restExpr = rest === false ? "" : `, ${this.expr((rest ?? true) as JsonSchema)}`;
      out = `z.tuple([${tupleItems.map((s) => this.expr(s as JsonSchema) + ".optional()").join(", ")}]${restExpr})`;
    } else {
      out = `z.array(${this.expr((schema.items ?? true) as JsonSchema)})`;
    }
    if (typeof schema.minItems === "number") out += `.min(${schema.minItems})`;
    if (typeof schema.maxItems === "number") out += `.max(${schema.maxItems})`;
    if (schema.uniqueItems === true) out = `rt.uniqueItems(${out})`;
    return out;
  }

  #object(schema: Obj): string {
    const properties = isObj(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const fields = Object.entries(properties).map(([name, prop]) => {
      let value = this.expr(prop as JsonSchema);
      const hasDefault = isObj(prop) && prop.default !== undefined;
      if (!required.has(name) && !hasDefault) value += ".optional()";
      return `${propertyKey(name)}: ${value}`;
    });
    const shape = `{ ${fields.join(", ")} }`;
    const extra = schema.additionalProperties;
    let out: string;
    if (extra === false) out = `z.strictObject(${shape})`;
    else if (isObj(extra) && Object.keys(extra).length > 0) {
      out = fields.length === 0 ? `z.record(z.string(), ${this.expr(extra)})` : `z.object(${shape}).catchall(${this.expr(extra)})`;
    } else out = `z.looseObject(${shape})`;
    if (typeof schema.minProperties === "number" || typeof schema.maxProperties === "number") {
      out = `rt.propertyCount(${out}, ${schema.minProperties ?? "undefined"}, ${schema.maxProperties ?? "undefined"})`;
    }
    return out;
  }
}

const STRING_FORMATS = new Set(["date-time", "date", "time", "uuid", "email", "uri", "url", "hostname", "ipv4", "ipv6", "byte"]);

function enumExpr(values: unknown[]): string {
  if (values.length > 0 && values.every((v) => typeof v === "string")) return `z.enum([${values.map(literal).join(", ")}])`;
  return `rt.enumOf([${values.map(literal).join(", ")}])`;
}

/**
 * `.regex(...)` for the spec's pattern, built from a string literal (never pasted as
 * regex source). Patterns JavaScript cannot compile are not checked.
 */
function regexCheck(pattern: string): string {
  for (const flags of ["u", ""]) {
    try {
      new RegExp(pattern, flags);
      return `.regex(new RegExp(${stringLiteral(pattern)}${flags ? `, "${flags}"` : ""}))`;
    } catch {
      // try the next flag set
    }
  }
  return "";
}

function escapeToken(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}
function decodeToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}
