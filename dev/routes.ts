/**
 * Path templates as the gateway matches them: each compiled to a regular expression, and ranked
 * so that the most specific template that matches a path wins, whatever order the spec declares
 * them in (OpenAPI: concrete paths match before templated ones).
 */

/** How specific one segment is: a literal segment, a template with literal text around it, a bare `{name}`. */
interface SegmentRank {
  /** 2: literal; 1: template with literal prefix/suffix; 0: bare template. */
  kind: 0 | 1 | 2;
  /** Literal characters in a templated segment (`{id}:download` → 9): more pins more down. */
  literals: number;
}

export interface CompiledTemplate {
  regex: RegExp;
  /** The template's parameter names, in the order of the regex's groups. */
  names: string[];
  ranks: SegmentRank[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TEMPLATE_PART = /\{([^}]+)\}|([^{]+)/g;

function segmentRank(segment: string): SegmentRank {
  if (!segment.includes("{")) return { kind: 2, literals: segment.length };
  const literals = segment.replace(/\{[^}]*\}/g, "").length;
  return { kind: literals > 0 ? 1 : 0, literals };
}

export function compileTemplate(template: string): CompiledTemplate {
  const names: string[] = [];
  const segments = template.split("/");
  const pattern = segments
    .map((segment) =>
      segment.includes("{")
        ? segment.replace(TEMPLATE_PART, (_m, name: string | undefined, text: string | undefined) => {
            if (name === undefined) return escapeRegex(text!);
            names.push(name);
            return "([^/]+)";
          })
        : escapeRegex(segment),
    )
    .join("/");
  return {
    regex: new RegExp(`^${pattern}/?$`),
    names,
    ranks: segments.map(segmentRank),
  };
}

/**
 * Sort order of two templates: segment by segment from the left, the more specific segment first
 * (literal > template with literal text, the more literal characters first > bare template); then
 * the template text, so that the order never depends on declaration order.
 */
export function compareTemplates(a: { template: string; ranks: SegmentRank[] }, b: { template: string; ranks: SegmentRank[] }): number {
  const n = Math.min(a.ranks.length, b.ranks.length);
  for (let i = 0; i < n; i++) {
    const x = a.ranks[i]!;
    const y = b.ranks[i]!;
    if (x.kind !== y.kind) return y.kind - x.kind;
    if (x.kind === 1 && x.literals !== y.literals) return y.literals - x.literals;
  }
  if (a.ranks.length !== b.ranks.length) return a.ranks.length - b.ranks.length;
  return a.template < b.template ? -1 : a.template > b.template ? 1 : 0;
}
