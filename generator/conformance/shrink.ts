/**
 * Shrinking a failing case with fast-check: the case's arbitrary is checked again from the case's own
 * seed (so its first value is the failing request) and fast-check shrinks it to a smaller request
 * failing the same check. Every step sends a real request, so the steps are bounded.
 */
import fc from "fast-check";
import type { ClientInput } from "@symphony-codegen/runtime";
import type { Check } from "./judge.js";

/** Requests a shrink may send; past that, candidates count as passing and fast-check stops. */
const SHRINK_BUDGET = 200;

export async function shrink(
  arb: fc.Arbitrary<ClientInput>,
  seed: number,
  check: Check,
  failsWith: (input: ClientInput) => Promise<Check[]>,
): Promise<ClientInput | undefined> {
  let sent = 0;
  const details = await fc.check(
    fc.asyncProperty(arb, async (input) => {
      if (sent++ >= SHRINK_BUDGET) return true;
      return !(await failsWith(input)).includes(check);
    }),
    { seed, numRuns: 1 },
  );
  return details.failed ? details.counterexample?.[0] : undefined;
}

/** A request's size for the report: the bytes of its input as JSON. */
export const inputBytes = (input: ClientInput) => Buffer.byteLength(JSON.stringify(input));
