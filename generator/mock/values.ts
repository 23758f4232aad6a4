/**
 * Seeded values for the mock server: instances of a schema from the arbitraries the property tests
 * use (generator/arbitraries.ts), deterministic for a seed and a key (operation, status, media type),
 * each checked by the caller's predicate (the runtime's response validation): the arbitraries aim
 * at valid values, the validators decide.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { Generator } from "../arbitraries.js";

/** Samples tried before giving up on a schema (an unsatisfiable pattern, contradictory allOf). */
const ATTEMPTS = 64;

export class MockValues {
  readonly #generator: Generator;

  constructor(
    document: unknown,
    openapiVersion: string,
    private readonly seed: number,
  ) {
    // Plain values a UI can show; no writeOnly property (a response never carries one).
    this.#generator = new Generator({ document, is30: openapiVersion.startsWith("3.0"), plain: true, omit: "writeOnly" });
  }

  /**
   * The first seeded instance of `schema` that `accept` takes, as JSON carries it (a round trip, so
   * what is checked is what is sent); undefined when none of the attempts is accepted.
   */
  sample(schema: unknown, key: string, accept: (value: unknown) => boolean): { value: unknown } | undefined {
    const arbitrary = this.#generator.valid(schema);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const [raw] = fc.sample(arbitrary, { seed: seedOf(this.seed, key, attempt), numRuns: 1 });
      const text = JSON.stringify(raw);
      if (text === undefined) continue;
      const value: unknown = JSON.parse(text);
      if (accept(value)) return { value };
    }
    return undefined;
  }
}

/** A 32-bit fast-check seed from the user's seed, what is generated and the attempt. */
function seedOf(seed: number, key: string, attempt: number): number {
  return createHash("sha256").update(`${seed}\0${key}\0${attempt}`).digest().readInt32BE(0);
}
