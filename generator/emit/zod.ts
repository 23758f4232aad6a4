/**
 * JSON Schema (OpenAPI 3.0 and 3.1 dialects) → zod expressions.
 * Every `$ref` becomes a named constant: components in the document's order, then the ones met
 * later (direction variants). Each constant is `z.lazy(() => …)`: built on first use, so an
 * extension holds only the schemas its traffic needs (GitHub's 3,677 built at import were
 * ~90 MiB), and neither recursion nor order needs anything more. A reference is queued, not
 * followed, so `$ref` chains of any depth need no stack.
 *
 * Expressions the constants repeat (`z.string().optional()` ~3,600 times in GitHub's; whole objects
 * hundreds of times) are written once, as shared pieces (./shared-pieces.ts) built on first use:
 * zod schemas are immutable, so one instance serves every use. GitHub's ~44,000 schema instances,
 * every one built, became ~9,400 (operations.ts's inline expressions are not shared), and
 * schemas.js 1.9 MB → 0.7 MB.
 * Constants are annotated with the spec's type (`z.ZodType<components["schemas"]["Pet"]>`) so the
 * compiler never infers zod types from them, and a parse returns that type; a constant no type of
 * types.ts describes honestly stays `z.ZodType` (see `#typeOf`).
 *
 * Directions (`readOnly` / `writeOnly`): a schema holding such properties (through its `$ref`s)
 * gets a variant constant per direction it is used in: for requests its readOnly properties are
 * optional and removed from the output, for responses its writeOnly ones must be absent.
 */
import { mappingRef, pointerOf, unescapePointerToken } from "../diagnostics.js";
import { getPointer, visibilityIndex, VisibilityIndex } from "../model.js";
import { NameScope, pascalCase, propertyKey, stringLiteral, valueLiteral } from "../names.js";
import type { JsonSchema } from "../model.js";
import { NarrowingIndex } from "./narrowing.js";
import { SharedPieces } from "./shared-pieces.js";
import type { TableStatement } from "./operations.js";
import { STRING_FORMATS as RUNTIME_STRING_FORMATS } from "@symphony-codegen/runtime/internal/serve/schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const literal = valueLiteral;

const STRING_KEYWORDS = ["minLength", "maxLength", "pattern", "format"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
const OBJECT_KEYWORDS = ["properties", "additionalProperties", "required", "minProperties", "maxProperties", "patternProperties"];
const ARRAY_KEYWORDS = ["items", "prefixItems", "minItems", "maxItems", "uniqueItems"];

export interface NamedSchema {
  name: string;
  code: string;
  /**
   * The TypeScript type its parse returns, in terms of types.ts (`components["schemas"]["Pet"]`,
   * `rt.Writable<…>` for a request variant); undefined when no type of types.ts says it honestly.
   */
  type?: string;
}

/** Which side of an exchange a schema decodes: undefined is the schema as written (component constants). */
export type Direction = "request" | "response";
/** The property keyword each direction treats specially. */
const DIRECTED = { request: "readOnly", response: "writeOnly" } as const;
const VARIANT_SUFFIX = { request: "ForRequest", response: "ForResponse" } as const;

export class ZodEmitter {
  /** `$ref` (prefixed by the direction of a variant) → constant name. */
  #names = new Map<string, string>();
  #scope = new NameScope();
  /** Keys (`#names`' keys) of the constants met so far. */
  #met = new Set<string>();
  /** Constants met, in order; those from `#next` on still to emit. */
  #queue: { ref: string; direction: Direction | undefined }[] = [];
  #next = 0;
  readonly #constants: NamedSchema[] = [];
  #direction: Direction | undefined;
  readonly #visibility: VisibilityIndex;
  #narrowing: NarrowingIndex | undefined;
  /** Pieces of the component constants (schemas.ts's own: operations.ts's inline expressions are not shared). */
  readonly #shared = new SharedPieces({ declare: (code) => `rt.shared(() => ${code})`, use: (name) => `${name}()` });
  #sharing = false;

  constructor(
    private readonly document: unknown,
    private readonly openapiVersion: string,
    /** Prefix for references to constants from outside the schemas module (e.g. "schemas."). */
    private refPrefix = "",
  ) {
    this.#visibility = visibilityIndex(document as object);
  }

  /** Emits one constant per component schema, in the document's order. */
  emitComponents(schemas: Record<string, JsonSchema>): void {
    for (const name of Object.keys(schemas)) this.#meet(pointerOf("components", "schemas", name), undefined);
    this.#emitQueued();
  }

  /** Every constant met so far, emitted; their code holds placeholders for shared pieces (see `resolved`). */
  get constants(): readonly NamedSchema[] {
    this.#emitQueued();
    return this.#constants;
  }

  /** schemas.ts's statements: the pieces the constants use twice or more (declared first), then the constants. */
  resolved(): { pieces: TableStatement[]; constants: NamedSchema[] } {
    const constants = this.constants;
    const { constants: pieces, expand } = this.#shared.resolve(constants.map((c) => c.code));
    return { pieces, constants: constants.map((c) => ({ ...c, code: expand(c.code) })) };
  }

  /** A piece of a component constant: shared with every other use of the same expression. */
  #share(code: string): string {
    return this.#sharing && !SHARED_ALREADY.test(code) && this.#shared.inline(code) === code ? this.#shared.ref("shared", "rt.SchemaThunk", code) : code;
  }

  /** `expr(schema).optional()`, itself shared: the suffix goes on the piece's code, not on a call of its builder. */
  #optional(schema: JsonSchema | undefined, withDefault = true): string {
    return this.#share(this.#extend(this.#unshared(schema, withDefault), ".optional()"));
  }

  /** `code` followed by `suffix` (`.optional()`): a shared piece's own code, not a call of its builder. */
  #extend(code: string, suffix: string): string {
    return this.#shared.inline(code) + suffix;
  }

  /** An expression for a schema used inline (operations module), as a request or a response decodes it. */
  inline(schema: JsonSchema | undefined, prefix: string, direction?: Direction): string {
    const saved = [this.refPrefix, this.#direction] as const;
    this.refPrefix = prefix;
    this.#direction = direction;
    try {
      return this.expr(schema);
    } finally {
      [this.refPrefix, this.#direction] = saved;
    }
  }

  /** A component's constant; `direction` names its variant (base name + "ForRequest", which no base name ends with). */
  constName(ref: string, direction?: Direction): string {
    const key = direction ? `${direction} ${ref}` : ref;
    let name = this.#names.get(key);
    if (!name) {
      if (direction) name = this.#scope.claim(this.constName(ref) + VARIANT_SUFFIX[direction]);
      else name = this.#scope.claim(pascalCase(unescapePointerToken(ref.split("/").pop() ?? "Schema")) + "Schema");
      this.#names.set(key, name);
    }
    return name;
  }

  /** The direction a reference is decoded in: none when its schema has nothing that direction treats specially. */
  #refDirection(ref: string): Direction | undefined {
    const direction = this.#direction;
    return direction && this.#visibility.has({ $ref: ref }, DIRECTED[direction]) ? direction : undefined;
  }

  /** Names a constant and queues it, the first time it is met. */
  #meet(ref: string, direction: Direction | undefined): void {
    const key = direction ? `${direction} ${ref}` : ref;
    if (this.#met.has(key)) return;
    this.#met.add(key);
    this.constName(ref, direction);
    this.#queue.push({ ref, direction });
  }

  /** Emits the queued constants, and those they meet in turn. */
  #emitQueued(): void {
    const saved = [this.refPrefix, this.#direction, this.#sharing] as const;
    this.#sharing = true;
    try {
      for (; this.#next < this.#queue.length; this.#next++) {
        const { ref, direction } = this.#queue[this.#next]!;
        const target = getPointer(this.document, ref) as JsonSchema | undefined;
        this.refPrefix = "";
        this.#direction = direction;
        const type = target === undefined ? undefined : this.#typeOf(ref, direction);
        const lazy = type === undefined ? "z.lazy" : "rt.lazy";
        const code = `${lazy}(() => ${target === undefined ? "z.unknown()" : this.expr(target)})`;
        this.#constants.push(type === undefined ? { name: this.constName(ref, direction), code } : { name: this.constName(ref, direction), code, type });
      }
    } finally {
      [this.refPrefix, this.#direction, this.#sharing] = saved;
    }
  }

  /**
   * The type a constant's parse returns: the component's type from types.ts, seen as the direction
   * sees it (readOnly/writeOnly markers), or undefined when types.ts has no honest one: a reference
   * to something other than a component schema (types.ts names only those), or a schema reaching a
   * construct whose types.ts type misses values the schema accepts: a binary string (`Uint8Array`,
   * checked as a string), a free-form `{type: object}` (`Record<string, never>`) and the others of
   * model.ts `mistypedNode`, or a discriminator openapi-typescript narrows to a literal (narrowing.ts).
   */
  #typeOf(ref: string, direction: Direction | undefined): string | undefined {
    const match = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
    if (!match || this.#visibility.mistyped({ $ref: ref })) return undefined;
    if ((this.#narrowing ??= new NarrowingIndex(this.document)).misdescribed(ref)) return undefined;
    let name: string;
    try {
      name = unescapePointerToken(decodeURIComponent(match[1]!)); // as getPointer reads it
    } catch {
      return undefined;
    }
    const type = `components["schemas"][${stringLiteral(name)}]`;
    if (direction) return `rt.${direction === "request" ? "Writable" : "Readable"}<${type}>`;
    return this.#visibility.marked({ $ref: ref }) ? `rt.Unmarked<${type}>` : type;
  }

  #ref(ref: string): string {
    if (!ref.startsWith("#")) return "z.unknown()";
    const direction = this.#refDirection(ref);
    this.#meet(ref, direction);
    return this.refPrefix + this.constName(ref, direction);
  }

  /** `withDefault: false` for required properties: a default must not make a missing required value valid. */
  expr(schema: JsonSchema | undefined, withDefault = true): string {
    return this.#share(this.#unshared(schema, withDefault));
  }

  /** `expr`, itself not a shared piece (what is inside may be): for a caller that adds to it (`.optional()`). */
  #unshared(schema: JsonSchema | undefined, withDefault = true): string {
    if (schema === undefined || schema === true) return "z.unknown()";
    if (schema === false) return "z.never()";
    if (!isObj(schema)) return "z.unknown()";
    let out = this.#core(schema);
    if (schema.nullable === true && !this.#is31()) out = this.#extend(out, ".nullable()");
    if (withDefault && schema.default !== undefined) out = this.#extend(out, `.default(${literal(schema.default)})`);
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
    const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
    if (values) {
      parts.push(Array.isArray(schema.enum) ? enumExpr(schema.enum) : `rt.constOf(${literal(schema.const)})`);
      // The values still have to satisfy `type` and the other keywords (`{type: string, enum: [1]}` accepts nothing).
      if (!enumSatisfiesType(schema, values)) {
        const typed = this.#typed(schema);
        if (typed) parts.push(typed);
      }
    } else {
      const typed = this.#typed(schema);
      if (typed) parts.push(typed);
    }
    const composition = this.#composition(schema);
    if (composition) parts.push(composition);
    if (isObj(schema.not) || typeof schema.not === "boolean") parts.push(`rt.not(${this.expr(schema.not as JsonSchema)})`);
    parts.push(...this.#applicators(schema));
    if (parts.length === 0) return "z.unknown()";
    return this.#merge(schema, parts);
  }

  /**
   * `rt.allOf` of parts. In a request whose schema holds readOnly properties, parts that pass the raw
   * value through must not bring back what another part removed: the merge knows.
   */
  #merge(schema: Obj, parts: string[]): string {
    if (parts.length === 1) return parts[0]!;
    const merge = this.#direction === "request" && this.#visibility.has(schema, "readOnly") ? ", rt.mergeRequestParts" : "";
    return `rt.allOf([${parts.join(", ")}]${merge})`;
  }

  /** Conditional and cross-property keywords (JSON Schema draft-07 and 2020-12 as the dialect has them). */
  #applicators(schema: Obj): string[] {
    const isSchema = (v: unknown): v is JsonSchema => isObj(v) || typeof v === "boolean";
    const out: string[] = [];
    if (isSchema(schema.if) && (isSchema(schema.then) || isSchema(schema.else))) {
      const branch = (v: unknown) => (isSchema(v) ? this.expr(v) : "undefined");
      out.push(`rt.ifThenElse(${this.expr(schema.if)}, ${branch(schema.then)}, ${branch(schema.else)})`.replace(/, undefined\)$/, ")"));
    }
    if (isSchema(schema.contains)) {
      const min = this.#is31() && typeof schema.minContains === "number" ? schema.minContains : 1;
      const max = this.#is31() && typeof schema.maxContains === "number" ? `, ${schema.maxContains}` : "";
      out.push(`rt.contains(${this.expr(schema.contains)}, ${min}${max})`);
    }
    if (isSchema(schema.propertyNames)) out.push(`rt.propertyNames(${this.expr(schema.propertyNames)})`);
    const rules: string[] = [];
    const addRules = (source: unknown, kind: "array" | "schema" | "either") => {
      if (!isObj(source)) return;
      for (const [property, rule] of Object.entries(source)) {
        if (Array.isArray(rule) && kind !== "schema") rules.push(`${propertyKey(property)}: ${JSON.stringify(rule.filter((r) => typeof r === "string"))}`);
        else if (isSchema(rule) && kind !== "array") rules.push(`${propertyKey(property)}: ${this.expr(rule)}`);
      }
    };
    if (this.#is31()) {
      addRules(schema.dependentRequired, "array");
      addRules(schema.dependentSchemas, "schema");
    } else addRules(schema.dependencies, "either");
    if (rules.length > 0) out.push(`rt.dependencies({ ${rules.join(", ")} })`);
    return out;
  }

  #composition(schema: Obj): string | undefined {
    const pieces: string[] = [];
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      pieces.push(this.#merge(schema, schema.allOf.map((s) => this.expr(s as JsonSchema))));
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
    return this.#merge(schema, pieces);
  }

  #discriminator(schema: Obj, options: unknown[]): string | undefined {
    const d = schema.discriminator;
    if (!isObj(d) || typeof d.propertyName !== "string") return undefined;
    const mapping = new Map<string, string>();
    const explicit = isObj(d.mapping) ? d.mapping : {};
    for (const [value, target] of Object.entries(explicit)) {
      if (typeof target !== "string") continue;
      mapping.set(value, mappingRef(target));
    }
    const referenced = new Set(mapping.values());
    for (const option of options) {
      if (!isObj(option) || typeof option.$ref !== "string") return undefined; // inline options: plain oneOf
      if (referenced.has(option.$ref)) continue;
      mapping.set(unescapePointerToken(option.$ref.split("/").pop()!), option.$ref);
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
      const numberFormat = typeof schema.format === "string" && NUMBER_FORMATS.has(schema.format);
      if (STRING_KEYWORDS.some((k) => k in schema && !(k === "format" && numberFormat))) types.push("string");
      if (numberFormat || NUMBER_KEYWORDS.some((k) => k in schema)) types.push("number");
      if (types.length === 0) return undefined;
      // Untyped keywords only constrain values of their type; others pass.
      return `rt.byType({ ${types.map((t) => `${t}: ${this.#ofType(schema, t)}`).join(", ")} })`;
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
    if (typeof schema.pattern === "string") out += regexCheck(schema.pattern);
    const min = typeof schema.minLength === "number" && schema.minLength > 0 ? schema.minLength : undefined;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : undefined;
    // Lengths count code points (rt.length), not zod's UTF-16 units.
    if (min !== undefined || max !== undefined) out = `rt.length(${out}, ${min ?? "undefined"}${max === undefined ? "" : `, ${max}`})`;
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
    // int32 checks wholeness and range; redundant for an integer already bounded inside the range, as is int64 for any integer.
    const inInt32 = type === "integer" && typeof schema.minimum === "number" && typeof schema.maximum === "number" && schema.minimum >= -(2 ** 31) && schema.maximum < 2 ** 31;
    const redundant = type === "integer" && (schema.format === "int64" || (schema.format === "int32" && inInt32));
    if (typeof schema.format === "string" && CHECKED_NUMBER_FORMATS.has(schema.format) && !redundant) {
      out = `rt.numberFormat(${out}, ${stringLiteral(schema.format)})`;
    }
    return out;
  }

  #array(schema: Obj): string {
    const tupleItems = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : undefined;
    let out: string;
    if (tupleItems) {
      const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
      const restExpr = rest === false ? "" : `, ${this.expr((rest ?? true) as JsonSchema)}`;
      out = `z.tuple([${tupleItems.map((s) => this.#optional(s as JsonSchema)).join(", ")}]${restExpr})`;
    } else {
      out = `z.array(${this.expr((schema.items ?? true) as JsonSchema)})`;
    }
    if (typeof schema.minItems === "number") out += `.min(${schema.minItems})`;
    if (typeof schema.maxItems === "number") out += `.max(${schema.maxItems})`;
    if (schema.uniqueItems === true) {
      // Items are unique as sent: in a request, compared before readOnly properties are removed.
      const beforeRemoval = this.#direction === "request" && this.#visibility.has(schema, "readOnly");
      out = beforeRemoval ? `rt.allOf([rt.uniqueItems(z.array(z.unknown())), ${out}], rt.mergeRequestParts)` : `rt.uniqueItems(${out})`;
    }
    return out;
  }

  #object(schema: Obj): string {
    const properties = isObj(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const extra = schema.additionalProperties;
    const patterns = isObj(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
    const keyword = this.#direction && DIRECTED[this.#direction];
    const readOnly: string[] = [];
    const fields = Object.entries(properties).map(([name, prop]) => {
      if (keyword && VisibilityIndex.property(prop, keyword)) {
        // Request: a readOnly property is checked if sent, never required, then removed. Response: a writeOnly one must be absent.
        if (keyword === "writeOnly") return `${propertyKey(name)}: rt.writeOnlyProperty()`;
        readOnly.push(name);
        return `${propertyKey(name)}: ${this.#optional(prop as JsonSchema, false)}`;
      }
      // A required property's default must not make its absence valid; a default makes an optional one present.
      const hasDefault = isObj(prop) && prop.default !== undefined;
      const value = required.has(name) || hasDefault ? this.expr(prop as JsonSchema, !required.has(name)) : this.#optional(prop as JsonSchema);
      return `${propertyKey(name)}: ${value}`;
    });
    // `required` names without a `properties` entry must be present, with whatever value the rest allows.
    for (const name of required) {
      if (typeof name !== "string" || Object.hasOwn(properties, name)) continue;
      fields.push(`${propertyKey(name)}: ${patterns.length > 0 || extra === undefined || extra === true || (isObj(extra) && Object.keys(extra).length === 0) ? "z.unknown()" : this.expr(extra as JsonSchema)}`);
    }
    const shape = `{ ${fields.join(", ")} }`;
    // zod 4 neither checks nor keeps a `__proto__` property (it strips the key from every result): rt.protoProperty does both.
    const declaresProto = Object.hasOwn(properties, "__proto__") || required.has("__proto__");
    const withProto = (object: string) => (declaresProto ? `rt.protoProperty(${object})` : object);
    let out: string;
    if (patterns.length > 0) {
      // patternProperties: each matching property is checked against every matching pattern;
      // additionalProperties then applies only to properties neither declared nor matched.
      const rules = patterns.map(([p, s]) => `[${patternLiteral(p)}, ${this.expr(s as JsonSchema)}]`);
      const rest = extra === false ? "z.never()" : isObj(extra) && Object.keys(extra).length > 0 ? this.expr(extra) : "undefined";
      const declared = JSON.stringify(Object.keys(properties));
      out = `rt.patternProperties(${withProto(`z.looseObject(${shape})`)}, ${declared}, [${rules.join(", ")}], ${rest})`;
    } else if (extra === false) out = withProto(`z.strictObject(${shape})`);
    else if (isObj(extra) && Object.keys(extra).length > 0) {
      out = fields.length === 0 ? `z.record(z.string(), ${this.expr(extra)})` : withProto(`z.object(${shape}).catchall(${this.expr(extra)})`);
    } else out = withProto(`z.looseObject(${shape})`);
    if (typeof schema.minProperties === "number" || typeof schema.maxProperties === "number") {
      out = `rt.propertyCount(${out}, ${schema.minProperties ?? "undefined"}, ${schema.maxProperties ?? "undefined"})`;
    }
    if (readOnly.length > 0) out = `rt.omitReadOnly(${out}, [${readOnly.map(stringLiteral).join(", ")}])`;
    return out;
  }
}

/** Expressions that are one instance already: a constant's name, and the leaves the runtime builds once (rt.integer, rt.stringFormat). */
const SHARED_ALREADY = /^(?:[\w$.]+|rt\.integer\(\)|rt\.stringFormat\("[^"\\]*"\))$/;

/** Formats runtime/serve/schema.ts checks (ajv-formats' "full" set); others are annotations. */
const STRING_FORMATS = new Set(RUNTIME_STRING_FORMATS);
/** Number formats: `int32` (range and wholeness) and `int64` (wholeness) are checked; `float`/`double` accept any number. */
const NUMBER_FORMATS = new Set(["int32", "int64", "float", "double"]);
const CHECKED_NUMBER_FORMATS = new Set(["int32", "int64"]);

const JSON_TYPE_KEYWORDS = [...STRING_KEYWORDS, ...NUMBER_KEYWORDS, ...OBJECT_KEYWORDS, ...ARRAY_KEYWORDS];

function jsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Whether every enum/const value is of the schema's `type` and no type-specific keyword could reject one. */
function enumSatisfiesType(schema: Obj, values: unknown[]): boolean {
  if (JSON_TYPE_KEYWORDS.some((k) => k in schema)) return false;
  if (schema.type === undefined) return true;
  const types = new Set(typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type : []);
  if (schema.nullable === true) types.add("null");
  return values.every((v) => {
    const t = jsonTypeOf(v);
    return types.has(t) || (t === "integer" && types.has("number"));
  });
}

/** A `RegExp` expression for a pattern, with the same flag fallback as `regexCheck`; `undefined` if JavaScript cannot compile it. */
function patternLiteral(pattern: string): string {
  for (const flags of ["u", ""]) {
    try {
      new RegExp(pattern, flags);
      return `new RegExp(${stringLiteral(pattern)}${flags ? `, "${flags}"` : ""})`;
    } catch {
      // next
    }
  }
  return "undefined";
}

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
