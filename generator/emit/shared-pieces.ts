/**
 * The pieces of operations.ts's tables that repeat (a parameter, its shape, a schema thunk, a
 * response map), each written once as a module constant the entries share. Microsoft Graph's
 * 11,422 operations repeat the same `$top`/`$filter` parameters, collection responses and error
 * maps thousands of times: 21 MB of table became ~4 MB, and an extension serving it held ~190 MiB
 * instead of ~500 (import alone: 0.64 s instead of 2.0 s on the synthetic 12,000-operation
 * document). The runtime builds each schema once per thunk and never mutates a table, so sharing
 * is safe (test/shared-tables.e2e.test.ts).
 *
 * Emitters write `shared.ref(kind, type, code)` where a piece goes: a placeholder, counted. Once
 * every entry is written, `resolve()` decides: a piece used twice or more becomes
 * `const <kind><n>: <type> = code;`, one used once is written in place.
 *
 * schemas.ts shares the zod expressions its constants repeat the same way (generator/emit/zod.ts),
 * as builders: `const shared0: rt.SchemaThunk = rt.shared(() => code);`, used as
 * `shared0()` (options `declare` and `use`).
 */
import type { TableStatement } from "./operations.js";

interface Piece {
  kind: string;
  type: string;
  code: string;
}

/** Control characters never appear in generated code (string literals escape them). */
const PLACEHOLDER = /\u0001(\d+)\u0002/g;

export interface SharedPiecesOptions {
  /** A constant's code for a piece's (default: the code itself). */
  declare?: (code: string) => string;
  /** What refers to a constant, by name (default: the name). */
  use?: (name: string) => string;
}

export class SharedPieces {
  readonly #pieces: Piece[] = [];
  readonly #ids = new Map<string, number>();

  constructor(private readonly options: SharedPiecesOptions = {}) {}

  /** A placeholder for `code`, a `kind` of piece (a name's prefix) whose constant is typed `type`. */
  ref(kind: string, type: string, code: string): string {
    const key = `${kind}\0${code}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#pieces.length;
      this.#pieces.push({ kind, type, code });
      this.#ids.set(key, id);
    }
    return `\u0001${id}\u0002`;
  }

  /** `code` itself, or when it is one piece's placeholder, that piece's code: for a caller that adds to it (`.optional()`). */
  inline(code: string): string {
    const m = /^\u0001(\d+)\u0002$/.exec(code);
    return m ? this.#pieces[Number(m[1])]!.code : code;
  }

  /**
   * The constants to declare (before the tables, inner pieces first) and `expand`, which writes a
   * table's code with its placeholders resolved. `roots`: the tables' code, placeholders and all.
   */
  resolve(roots: readonly string[]): { constants: TableStatement[]; expand: (code: string) => string } {
    const pieces = this.#pieces;
    // A piece's code refers only to pieces made before it: count uses from the outermost in.
    const uses = new Array<number>(pieces.length).fill(0);
    const countIn = (code: string, times: number) => {
      for (const m of code.matchAll(PLACEHOLDER)) uses[Number(m[1])]! += times;
    };
    for (const root of roots) countIn(root, 1);
    for (let id = pieces.length - 1; id >= 0; id--) {
      // A constant's code is written once; a piece written in place, once per use.
      if (uses[id]! > 0) countIn(pieces[id]!.code, uses[id]! >= 2 ? 1 : uses[id]!);
    }
    const names = new Map<number, string>();
    const perKind = new Map<string, number>();
    pieces.forEach((piece, id) => {
      if (uses[id]! < 2) return;
      const n = perKind.get(piece.kind) ?? 0;
      perKind.set(piece.kind, n + 1);
      names.set(id, `${piece.kind}${n}`);
    });
    const { declare = (code: string) => code, use = (name: string) => name } = this.options;
    const expand = (code: string): string =>
      code.replace(PLACEHOLDER, (_, id: string) => {
        const name = names.get(Number(id));
        return name === undefined ? expand(pieces[Number(id)]!.code) : use(name);
      });
    const constants = [...names].map(([id, name]) => ({ left: `const ${name}: ${pieces[id]!.type}`, code: declare(expand(pieces[id]!.code)) }));
    return { constants, expand };
  }
}
