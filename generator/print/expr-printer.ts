/**
 * Prints the zod-table statements (`export const X: z.ZodType = <expr>;`) the way prettier 3
 * (parser typescript, printWidth 100) does, without prettier.
 *
 * The expressions come from generator/emit/zod.ts and operations.ts in a small grammar
 * (identifiers, member access, calls, `new`, `() => x`, objects, arrays, literals; `shared0()` for
 * the shared pieces of generator/emit/shared-pieces.ts), parsed here by
 * a tiny parser that refuses anything else. Layout follows prettier's estree printer for exactly
 * these shapes: a group is flat when it fits and nothing inside must break; objects and arrays
 * break one item per line; a call whose last argument is an object or array hugs it, as does
 * `z.lazy(() => call)` (call-arguments.js); member chains of more than two calls break one call
 * per line (member-chain.js); right-hand sides of `=` and `:` use the "fluid" layout (assignment.js).
 * Whatever falls outside throws `Unsupported`, and the caller leaves the statement to prettier:
 * never different from prettier, only slower.
 */
import { printNumber, printString } from "./literals.js";
import { stringWidth as defaultStringWidth } from "./width.js";

export const PRINT_WIDTH = 100;

export class Unsupported extends Error {}
const unsupported = (what: string): never => {
  throw new Unsupported(`expression printer: ${what}`);
};

/** Measured once: `w` the width printed on one line, `t` that text, `b` whether it must break. */
type Node = (
  | { k: "id"; name: string }
  | { k: "lit"; text: string; num?: boolean }
  | { k: "member"; obj: Node; name: string }
  | { k: "call"; callee: Node; args: Node[]; isNew?: boolean }
  | { k: "arrow"; body: Node }
  | { k: "obj"; props: { key: string; value: Node }[] }
  | { k: "arr"; items: Node[] }
) & { w?: number; t?: string; b?: boolean };

// ---------------------------------------------------------------------------------------------
// Parser

const TOKEN = /\s*(?:("(?:[^"\\\n]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_$][\w$]*)|(=>|[.,:()[\]{}]))/y;

class Parser {
  #pos = 0;
  #kind = 0;
  #text = "";
  constructor(private readonly src: string) {
    this.#next();
  }
  #next(): void {
    TOKEN.lastIndex = this.#pos;
    const m = TOKEN.exec(this.src);
    if (!m) {
      if (/^\s*$/.test(this.src.slice(this.#pos))) {
        this.#kind = 0;
        this.#text = "";
        return;
      }
      unsupported("token");
    }
    this.#pos = TOKEN.lastIndex;
    const [, string, number, word, punct] = m!;
    this.#kind = string !== undefined ? 1 : number !== undefined ? 2 : word !== undefined ? 3 : 4;
    this.#text = (string ?? number ?? word ?? punct)!;
  }
  #eat(punct: string): void {
    if (this.#kind !== 4 || this.#text !== punct) unsupported(`expected ${punct}`);
    this.#next();
  }
  #is(punct: string): boolean {
    return this.#kind === 4 && this.#text === punct;
  }
  done(): boolean {
    return this.#kind === 0;
  }
  expr(): Node {
    let node = this.#primary();
    for (;;) {
      if (this.#is(".")) {
        this.#next();
        if (this.#kind !== 3) unsupported("member name");
        node = { k: "member", obj: node, name: this.#text };
        this.#next();
      } else if (this.#is("(")) {
        // Calls on members (`z.string()`), and shared pieces' builders without arguments (`shared0()`).
        const args = node.k === "member" || node.k === "id" ? this.#list(")") : unsupported("call on a call");
        if (node.k === "id" && args.length > 0) unsupported("call on a name with arguments");
        node = { k: "call", callee: node, args };
      } else return node;
    }
  }
  #list(close: string): Node[] {
    this.#next();
    const items: Node[] = [];
    while (!this.#is(close)) {
      items.push(this.expr());
      if (!this.#is(close)) this.#eat(",");
    }
    this.#next();
    return items;
  }
  #primary(): Node {
    const text = this.#text;
    switch (this.#kind) {
      case 1:
        this.#next();
        return { k: "lit", text: printString(text) };
      case 2:
        this.#next();
        return { k: "lit", text: printNumber(text), num: true };
      case 3: {
        this.#next();
        if (text === "new") {
          if (this.#kind !== 3) unsupported("new");
          const callee: Node = { k: "id", name: this.#text };
          this.#next();
          if (!this.#is("(")) unsupported("new without arguments");
          return { k: "call", callee, args: this.#list(")"), isNew: true };
        }
        return { k: "id", name: text };
      }
    }
    if (this.#is("(")) {
      this.#next();
      this.#eat(")");
      this.#eat("=>");
      return { k: "arrow", body: this.expr() };
    }
    if (this.#is("[")) return { k: "arr", items: this.#list("]") };
    if (this.#is("{")) {
      this.#next();
      const props: { key: string; value: Node }[] = [];
      while (!this.#is("}")) {
        props.push({ key: this.#key(), value: this.expr() });
        if (!this.#is("}")) this.#eat(",");
      }
      this.#next();
      return { k: "obj", props };
    }
    return unsupported(`token ${text}`);
  }
  #key(): string {
    const text = this.#text;
    if (this.#kind === 3) {
      this.#next();
      this.#eat(":");
      return text;
    }
    if (this.#is("[")) {
      // A computed key (`["__proto__"]`): a string literal in brackets.
      this.#next();
      if (this.#kind !== 1) unsupported("computed key");
      const key = `[${printString(this.#text)}]`;
      this.#next();
      this.#eat("]");
      this.#eat(":");
      return key;
    }
    if (this.#kind !== 1) unsupported("property key");
    // prettier's quoteProps "as-needed" unquotes keys that are identifier names (ES5's, which take
    // Unicode letters: those are left to prettier); numeric ones stay quoted in TypeScript.
    const value = JSON.parse(text) as string;
    if (/[^\x00-\x7f]/.test(value) && /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*$/u.test(value)) unsupported("unicode key");
    this.#next();
    this.#eat(":");
    return /^[A-Za-z_$][\w$]*$/.test(value) ? value : printString(text);
  }
}

export function parseExpression(src: string): Node {
  const parser = new Parser(src);
  const node = parser.expr();
  if (!parser.done()) unsupported("trailing input");
  return node;
}

/** The names an expression refers to: identifiers, not member names or object keys. */
function collectNames(node: Node, into: Set<string>): void {
  switch (node.k) {
    case "id":
      into.add(node.name);
      return;
    case "lit":
      return;
    case "member":
      return collectNames(node.obj, into);
    case "call":
      collectNames(node.callee, into);
      return node.args.forEach((a) => collectNames(a, into));
    case "arrow":
      return collectNames(node.body, into);
    case "obj":
      return node.props.forEach((p) => collectNames(p.value, into));
    case "arr":
      return node.items.forEach((i) => collectNames(i, into));
  }
}

// ---------------------------------------------------------------------------------------------
// Facts prettier's printer decides on

/** The node printed on one line. */
function flat(node: Node): string {
  let text = node.t;
  if (text !== undefined) return text;
  switch (node.k) {
    case "id":
      text = node.name;
      break;
    case "lit":
      text = node.text;
      break;
    case "member":
      text = `${flat(node.obj)}.${node.name}`;
      break;
    case "call":
      text = `${node.isNew ? "new " : ""}${flat(node.callee)}(${node.args.map(flat).join(", ")})`;
      break;
    case "arrow":
      if (node.body.k === "obj") unsupported("arrow returning an object");
      text = `() => ${flat(node.body)}`;
      break;
    case "obj":
      text = node.props.length === 0 ? "{}" : `{ ${node.props.map((p) => `${p.key}: ${flat(p.value)}`).join(", ")} }`;
      break;
    case "arr":
      text = `[${node.items.map(flat).join(", ")}]`;
      break;
  }
  return (node.t = text);
}

/** prettier's `isSimpleCallArgument` for this grammar: nothing nested two levels deep, no arrow functions. */
function isSimple(node: Node, depth = 0): boolean {
  if (depth >= 2) return false;
  switch (node.k) {
    case "id":
    case "lit":
      return true;
    case "member":
      return isSimple(node.obj, depth);
    case "obj":
      return node.props.every((p) => !p.key.startsWith("[") && isSimple(p.value, depth + 1));
    case "arr":
      return node.items.every((i) => isSimple(i, depth + 1));
    case "call":
      return isSimple(node.callee, depth) && node.args.every((a) => isSimple(a, depth + 1));
    case "arrow":
      return false;
  }
}

interface Chain {
  /** prettier's groups: the head (with merged first call when it applies) and then one `.name(args)` per call. */
  head: Node[];
  calls: { name: string; call: Node & { k: "call" } }[];
  /** Whether `calls[0]` stays on the head's line (prettier's `shouldMerge`). */
  merge: boolean;
}

/** The member chain `printMemberChain` sees in a call on a member, or undefined. */
function chainOf(node: Node): Chain | undefined {
  if (node.k !== "call" || node.isNew || node.callee.k !== "member") return undefined;
  const calls: Chain["calls"] = [];
  let cur: Node = node;
  while (cur.k === "call" && !cur.isNew && cur.callee.k === "member") {
    calls.unshift({ name: cur.callee.name, call: cur });
    cur = cur.callee.obj;
  }
  // The head: an identifier and its member accesses (`schemas.Pet`), never a call.
  const head: Node[] = [];
  while (cur.k === "member") {
    head.unshift(cur);
    cur = cur.obj;
  }
  if (cur.k !== "id") unsupported("chain head");
  head.unshift(cur);
  const isFactory = (name: string) => /^[A-Z]|^[$_]+$/.test(name);
  const last = head[head.length - 1]!;
  const merge = last.k === "id" ? isFactory(last.name) : isFactory((last as { name: string }).name);
  return { head, calls, merge };
}

/** Whether the node's doc holds a hard break (prettier's propagated `willBreak`). */
function forced(node: Node): boolean {
  let result = node.b;
  if (result !== undefined) return result;
  switch (node.k) {
    case "id":
    case "lit":
      result = false;
      break;
    case "member":
      result = forced(node.obj);
      break;
    case "arrow":
      result = forced(node.body);
      break;
    case "obj":
      result = node.props.some((p) => forced(p.value));
      break;
    case "arr":
      result = arrayMustBreak(node.items) || node.items.some(forced);
      break;
    case "call": {
      const chain = chainOf(node);
      if (chain) result = chainExpandedByRule(chain) || chain.calls.some((c) => callBreaks(c.call.args));
      else result = callBreaks(node.args) || forced(node.callee);
      break;
    }
  }
  return (node.b = result);
}

/** Whether a call's arguments must break: one of them does, or they are a function composition. */
function callBreaks(args: Node[]): boolean {
  return args.some(forced) || isFunctionComposition(args);
}

const chainHead = (chain: Chain) => chain.head.map((n, i) => (i === 0 ? flat(n) : "." + (n as { name: string }).name)).join("");
const flatCall = (c: Chain["calls"][number]) => `.${c.name}(${c.call.args.map(flat).join(", ")})`;

/** Arrays of more than one object (or array), each with more than one entry, always break. */
function arrayMustBreak(items: Node[]): boolean {
  if (items.length < 2) return false;
  const kind = items[0]!.k;
  if (kind !== "obj" && kind !== "arr") return false;
  return items.every((i) => i.k === kind && (i.k === "obj" ? i.props.length > 1 : i.k === "arr" && i.items.length > 1));
}

/** prettier's `isFunctionCompositionArgs`: all arguments break out. */
function isFunctionComposition(args: Node[]): boolean {
  if (args.length <= 1) return false;
  let arrows = 0;
  for (const arg of args) {
    if (arg.k === "arrow") {
      if (++arrows > 1) return true;
    } else if (arg.k === "call" && arg.args.some((a) => a.k === "arrow")) return true;
  }
  return false;
}

/** A chain of more than two calls with a non-trivial argument prints one call per line. */
function chainExpandedByRule(chain: Chain): boolean {
  if (chain.calls.length <= 2 || chain.calls.length + 1 <= (chain.merge ? 3 : 2)) return false;
  return chain.calls.some((c) => !c.call.args.every((a) => isSimple(a)));
}

// ---------------------------------------------------------------------------------------------
// Layout

export class ExprPrinter {
  constructor(private readonly stringWidth: (text: string) => number = defaultStringWidth) {}

  #width(text: string): number {
    return /^[\x20-\x7e]*$/.test(text) ? text.length : this.stringWidth(text);
  }

  /** The width of `flat(node)`, without building the text (prettier measures piece by piece, so widths add up). */
  #flatWidth(node: Node): number {
    if (node.w !== undefined) return node.w;
    let w: number;
    switch (node.k) {
      case "id":
        w = node.name.length; // ASCII by the tokenizer
        break;
      case "lit":
        w = this.#width(node.text);
        break;
      case "member":
        w = this.#flatWidth(node.obj) + 1 + node.name.length;
        break;
      case "call":
        w = (node.isNew ? 4 : 0) + this.#flatWidth(node.callee) + this.#argsWidth(node.args);
        break;
      case "arrow":
        w = 6 + this.#flatWidth(node.body);
        break;
      case "obj":
        w = node.props.length === 0 ? 2 : 2 + node.props.reduce((n, p) => n + 2 + this.#width(p.key) + 2 + this.#flatWidth(p.value), 0);
        break;
      case "arr":
        w = this.#argsWidth(node.items);
        break;
    }
    return (node.w = w);
  }

  /** `(a, b)` or `[a, b]`. */
  #argsWidth(items: Node[]): number {
    return items.reduce((n, item, i) => n + (i > 0 ? 2 : 0) + this.#flatWidth(item), 2);
  }

  /** Whether `node` flat, then `suffix`, fits from column `col`. */
  #fits(node: Node, col: number, suffix: string): boolean {
    return !forced(node) && col + this.#flatWidth(node) + this.#width(suffix) <= PRINT_WIDTH;
  }

  /** `<left> = <src>;` printed; `left` is e.g. `export const X: z.ZodType`. */
  /** `names`, when given, collects the names the expression refers to (what decides the module's imports). */
  statement(left: string, src: string, names?: Set<string>): string {
    const node = parseExpression(src);
    if (names) collectNames(node, names);
    const generic = /^([^<]*<)(.*)>$/.exec(left);
    if (!generic || this.#width(left) + " =".length <= PRINT_WIDTH) return left + this.#assigned(node, 0, this.#width(left), " =", ";");
    // A typed declaration too long for ` =` on its line: prettier breaks its annotation's type
    // arguments (`const X: z.ZodType<` / the argument, indented / `> = …`), once, here.
    // Either line may run past the line's end: a name and an indexed access type cannot break.
    return `${generic[1]}\n  ${generic[2]}\n>` + this.#assigned(node, 0, 1, " =", ";");
  }

  /**
   * The right-hand side after `left<operator>` at column `col` (the width of what is on the line),
   * in the layout prettier's assignment.js chooses: on the same line ("never-break-after-operator"
   * for short keys and numbers), on the next line, indented ("break-after-operator" for strings and
   * poorly breakable calls), or on the same line while its first line fits ("fluid").
   * `shortKey`: an object property whose key is narrower than tabWidth + 3.
   */
  #assigned(node: Node, ind: number, col: number, operator: string, suffix: string, shortKey = false): string {
    col += operator.length;
    if (this.#fits(node, col + 1, suffix)) return `${operator} ${flat(node)}${suffix}`;
    const sameLine = () => `${operator} ${this.#broken(node, ind, col + 1, suffix)}`;
    const nextLine = () => `${operator}\n${" ".repeat(ind + 2)}${this.#layout(node, ind + 2, ind + 2, suffix)}`;
    if (shortKey) return sameLine();
    switch (node.k) {
      case "lit":
        return node.num && !node.text.startsWith("-") ? sameLine() : nextLine();
      case "id":
        return node.name === "true" || node.name === "false" ? sameLine() : nextLine();
      case "member":
        return nextLine();
      case "call":
        if (this.#poorlyBreakable(node)) return nextLine();
    }
    return col + 1 + this.#width(this.#firstSegment(node)) <= PRINT_WIDTH ? sameLine() : nextLine();
  }

  /** What a value that breaks prints before its first line break (prettier's `fits` in break mode). */
  #firstSegment(node: Node): string {
    switch (node.k) {
      case "obj":
        return "{";
      case "arr":
        return "[";
      case "arrow":
        return "() =>";
      case "call": {
        const chain = chainOf(node);
        if (chain && chain.calls.length + 1 > (chain.merge ? 3 : 2)) {
          return chainHead(chain) + (chain.merge ? flatCall(chain.calls[0]!) : "");
        }
        return `${node.isNew ? "new " : ""}${flat(node.callee)}(`;
      }
      default:
        return unsupported(`${node.k} that does not fit`);
    }
  }

  /**
   * prettier's `isPoorlyBreakableMemberOrCallChain`: a call chain that is not a member chain of
   * more groups than its cutoff, whose calls have no arguments or a lone short one.
   */
  #poorlyBreakable(node: Node & { k: "call" }): boolean {
    if (node.callee.k === "id" && !node.isNew) return true; // `shared0()`: no arguments
    const chain = chainOf(node);
    if (!chain) return false; // `new`
    if (chain.calls.length + 1 > (chain.merge ? 3 : 2)) return false;
    return chain.calls.every(({ call }) => {
      if (call.args.length !== 1) return call.args.length === 0;
      const arg = call.args[0]!;
      switch (arg.k) {
        case "obj":
          return arg.props.length === 0 && unsupported("lone empty object");
        case "arr":
          return arg.items.length === 0 && unsupported("lone empty array");
        case "call":
        case "member":
        case "arrow":
          return false;
        default:
          // Identifiers and literals are short by measures not reproduced here.
          return unsupported("lone short argument");
      }
    });
  }

  /** `node` at column `col` (indentation `ind`), followed by `suffix` up to the next line break. */
  #layout(node: Node, ind: number, col: number, suffix: string): string {
    if (this.#fits(node, col, suffix)) return flat(node) + suffix;
    return this.#broken(node, ind, col, suffix);
  }

  /** `node` when its group does not fit on the line. */
  #broken(node: Node, ind: number, col: number, suffix: string): string {
    switch (node.k) {
      case "id":
        return node.name + suffix;
      case "lit":
        return node.text + suffix;
      case "obj": {
        if (node.props.length === 0) return "{}" + suffix;
        const pad = " ".repeat(ind + 2);
        const lines = node.props.map((p) => {
          const keyWidth = this.#width(p.key);
          return pad + p.key + this.#assigned(p.value, ind + 2, ind + 2 + keyWidth, ":", ",", keyWidth < 5);
        });
        return `{\n${lines.join("\n")}\n${" ".repeat(ind)}}${suffix}`;
      }
      case "arr": {
        if (node.items.length === 0) return "[]" + suffix;
        if (node.items.every((i) => i.k === "lit" && i.num)) unsupported("array of numbers (fill)");
        const pad = " ".repeat(ind + 2);
        const lines = node.items.map((i) => pad + this.#layout(i, ind + 2, ind + 2, ","));
        return `[\n${lines.join("\n")}\n${" ".repeat(ind)}]${suffix}`;
      }
      case "call":
        return this.#call(node, ind, col, suffix);
      case "member":
        // `schemas.X` cannot break (prettier inlines a name's member): it runs past the line's end.
        if (node.obj.k !== "id") unsupported("member of a member that does not fit");
        return flat(node) + suffix;
      case "arrow":
        // The body on a line of its own (prettier keeps only objects, arrays and the like on the arrow's line).
        if (node.body.k === "obj" || node.body.k === "arr" || node.body.k === "arrow") unsupported("arrow body on the arrow's line");
        return `() =>\n${" ".repeat(ind + 2)}${this.#layout(node.body, ind + 2, ind + 2, suffix)}`;
    }
  }

  #call(node: Node & { k: "call" }, ind: number, col: number, suffix: string): string {
    const chain = chainOf(node);
    if (!chain) {
      // A shared piece's builder (`shared0()`) takes no arguments: nothing to break, it runs past the line's end.
      if (node.callee.k === "id" && !node.isNew) return flat(node) + suffix;
      const callee = (node.isNew ? "new " : "") + flat(node.callee);
      if (node.callee.k !== "id" || !node.isNew) unsupported("call on a call");
      return callee + this.#args(node.args, ind, col + this.#width(callee), suffix);
    }
    const groups = chain.calls.length + 1;
    const cutoff = chain.merge ? 3 : 2;
    const head = chainHead(chain);
    if (groups <= cutoff) {
      // One line: only the last call's arguments may break.
      let text = head;
      for (const [i, c] of chain.calls.entries()) {
        if (i === chain.calls.length - 1) return text + `.${c.name}` + this.#args(c.call.args, ind, col + this.#width(text) + 1 + c.name.length, suffix);
        // An inner call's arguments stay flat only while they fit (else its group would break).
        if (callBreaks(c.call.args) || col + this.#width(text) + 1 + c.name.length + this.#argsWidth(c.call.args) > PRINT_WIDTH)
          unsupported("break inside an inner call");
        text += flatCall(c);
      }
      return unsupported("empty chain");
    }
    const expandedByRule = chainExpandedByRule(chain);
    const inner = chain.calls.slice(0, -1).some((c) => callBreaks(c.call.args));
    if (!expandedByRule && !inner && callBreaks(chain.calls[chain.calls.length - 1]!.call.args)) unsupported("chain whose last call breaks");
    // Expanded: the head (and a merged first call) on the line, then one call per line.
    let first = head;
    let rest = chain.calls;
    if (chain.merge) {
      const c = chain.calls[0]!;
      if (callBreaks(c.call.args)) unsupported("merged call that breaks");
      first += flatCall(c);
      rest = chain.calls.slice(1);
    }
    if (col + this.#width(first) > PRINT_WIDTH) unsupported("long chain head");
    const pad = " ".repeat(ind + 2);
    const lines = rest.map((c, i) => {
      const last = i === rest.length - 1;
      return pad + `.${c.name}` + this.#args(c.call.args, ind + 2, ind + 2 + 1 + c.name.length, last ? suffix : "");
    });
    return `${first}\n${lines.join("\n")}`;
  }

  /** Call arguments at column `col`, as prettier's printCallArguments lays them out. */
  #args(args: Node[], ind: number, col: number, suffix: string): string {
    if (args.length === 0) return "()" + suffix;
    if (!callBreaks(args) && col + this.#argsWidth(args) + this.#width(suffix) <= PRINT_WIDTH) return `(${args.map(flat).join(", ")})${suffix}`;
    if (!isFunctionComposition(args)) {
      const last = args[args.length - 1]!;
      const penultimate = args[args.length - 2];
      const expandable = (last.k === "obj" && last.props.length > 0) || (last.k === "arr" && last.items.length > 0);
      if (last.k === "arrow") {
        if (args.length > 1) unsupported("arrow as last of several arguments");
        // prettier's couldExpandArg: an arrow returning a call hugs (`z.lazy(() =>`, the body on its
        // own line, a trailing comma); one returning a name breaks out like any other argument, and
        // so does a hugging one whose `(() =>` would pass the line's end.
        if (last.body.k === "call" && col + "(() =>".length <= PRINT_WIDTH) {
          return `(() =>\n${" ".repeat(ind + 2)}${this.#layout(last.body, ind + 2, ind + 2, ",")}\n${" ".repeat(ind)})${suffix}`;
        }
      }
      const concise = last.k === "arr" && last.items.every((i) => i.k === "lit" && i.num);
      if (expandable && (!penultimate || penultimate.k !== last.k) && !(args.length > 1 && concise)) {
        const heads = args.slice(0, -1);
        if (!heads.some(forced)) {
          const headWidth = heads.reduce((n, h) => n + this.#flatWidth(h) + 2, 1);
          // Hug the last argument when its opening line fits, else break all arguments out.
          if (col + headWidth + 1 <= PRINT_WIDTH) {
            return "(" + heads.map((h) => flat(h) + ", ").join("") + this.#broken(last, ind, col + headWidth, ")" + suffix);
          }
        }
      }
    }
    const pad = " ".repeat(ind + 2);
    const lines = args.map((a) => pad + this.#layout(a, ind + 2, ind + 2, ","));
    return `(\n${lines.join("\n")}\n${" ".repeat(ind)})${suffix}`;
  }
}
