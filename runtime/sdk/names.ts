/** Naming rules shared by the generator (at build time) and the runtime (as a guard). */

/** NATS micro service names: letters, digits, `_` and `-`. */
export function serviceName(title: string): string {
  const cleaned = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return cleaned || "service";
}

/** Endpoint names are one subject token: letters, digits, `_` and `-` (no space, `.`, `*` or `>`). */
export function endpointName(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "endpoint";
}

/** `GET /pets/{id}` → ["get", "pets", "by", "id"]: the words of an operation's name when it has no operationId. */
export function pathWords(method: string, path: string): string[] {
  const out = [method];
  for (const segment of path.split("/").filter(Boolean)) {
    const param = /^\{(.+)\}$/.exec(segment);
    if (param) out.push("by", param[1]!);
    else out.push(segment);
  }
  return out;
}

/** What an operation's endpoint name is made from. */
export interface EndpointClaim {
  /** `x-symphony-endpoint`, else the operationId, as written; undefined when there is neither. */
  chosen?: string;
  /** The name derived otherwise (path words joined by `_`). */
  derived: string;
  /** Identifies the operation within its group (`GET /pets`): what a colliding name's suffix is hashed from. */
  key: string;
}

export interface EndpointNaming {
  /** One name per claim, distinct unless `duplicates` is not empty. */
  names: string[];
  /** Claims whose name got a suffix: by index, with the name they shared and who else wanted it. */
  suffixed: { index: number; base: string; rivals: number[] }[];
  /** Pairs of claims choosing the same name as written (or a suffix clash): those cannot be told apart. */
  duplicates: [number, number][];
}

/** FNV-1a, 32 bits: a short, stable hash that needs no crypto module. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0").slice(0, 6);
}

/**
 * Endpoint names for a group of operations served together: injective, and independent of the
 * order they are declared in. A name chosen as written (`get_user`, `get-user`) is used as it is;
 * a name sanitising changed (`a.b` → `a_b`, `GET /users/~` → `get_users`) keeps the sanitised
 * form while nothing else wants it. When several want one name, a verbatim choice keeps it, else a
 * verbatim derived name, and every other gets a suffix hashed from its key (`get_users_3f9a1c`).
 * Only the same name chosen twice as written is a duplicate.
 */
export function endpointNames(claims: EndpointClaim[]): EndpointNaming {
  const bases = claims.map((c) => endpointName(c.chosen ?? c.derived));
  // 0: chosen and valid as written; 1: derived and valid as written; 2: changed by sanitising.
  const rank = claims.map((c, i) => (bases[i] !== (c.chosen ?? c.derived) ? 2 : c.chosen !== undefined ? 0 : 1));
  const duplicates: [number, number][] = [];
  const byChoice = new Map<string, number>();
  claims.forEach((c, i) => {
    if (c.chosen === undefined) return;
    const first = byChoice.get(c.chosen);
    if (first === undefined) byChoice.set(c.chosen, i);
    else duplicates.push([first, i]);
  });
  const groups = new Map<string, number[]>();
  bases.forEach((base, i) => (groups.get(base) ?? groups.set(base, []).get(base)!).push(i));
  const names = [...bases];
  const suffixed: EndpointNaming["suffixed"] = [];
  for (const [base, members] of groups) {
    if (members.length === 1) continue;
    const best = Math.min(...members.map((i) => rank[i]!));
    const holders = members.filter((i) => rank[i] === best);
    // A rank shared by several (two derived names, or one chosen twice) leaves the name to none of them.
    const keeper = holders.length === 1 || best === 0 ? holders[0] : undefined;
    for (const i of members) {
      if (i === keeper || (best === 0 && rank[i] === 0)) continue;
      names[i] = `${base}_${shortHash(claims[i]!.key)}`;
      suffixed.push({ index: i, base, rivals: members.filter((j) => j !== i) });
    }
  }
  // A suffixed name that meets another name (by design or by a hash collision) cannot be told apart either.
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else if (!duplicates.some(([a, b]) => (a === first && b === i) || (a === i && b === first))) duplicates.push([first, i]);
  });
  return { names, suffixed, duplicates };
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** NATS micro requires semver: `1.0` → `1.0.0`, `v2` → `2.0.0`, `2023-01-01` → `2023.1.1`; anything else keeps its digits. */
export function semverVersion(raw: string): string {
  const text = String(raw ?? "").trim().replace(/^v(?=\d)/i, "");
  if (SEMVER.test(text)) return text;
  const match = /^(\d+)(?:[.-](\d+))?(?:[.-](\d+))?(.*)$/.exec(text);
  if (!match) return "0.0.0";
  const [, major, minor = "0", patch = "0", rest = ""] = match;
  const core = [major, minor, patch].map((n) => String(Number(n))).join(".");
  const pre = rest.replace(/^[-.+]/, "").replace(/[^0-9A-Za-z.-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "").replace(/\.{2,}/g, ".");
  const candidate = pre ? `${core}-${pre.split(".").map((p) => (/^0\d+$/.test(p) ? String(Number(p)) : p)).join(".")}` : core;
  return SEMVER.test(candidate) ? candidate : core;
}

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** Extension prefixes become subject tokens (`cirata.extensions.<prefix>`). */
export function isValidPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(prefix);
}
