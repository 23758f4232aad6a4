/**
 * The `test` pipeline for one spec: plan each operation's cases (plan.ts) → send (send.ts) → judge
 * (judge.ts) → follow links after a 2xx (links.ts) → shrink failures (shrink.ts). Cases run one at
 * a time, in order, so a stateful service sees the same sequence on every run of a seed.
 */
import type { ClientInput } from "@symphony-codegen/runtime";
import type { ConformanceApi, ConformanceOp } from "./api.js";
import { judgeInvalid, judgeValid, type Failure } from "./judge.js";
import { followUpInput, linksOf } from "./links.js";
import { caseSeed, planOperation, sampleOne, validArb, type Case, type CaseKind } from "./plan.js";
import { NoAnswer, type Answer, type Transport } from "./send.js";
import { inputBytes, shrink } from "./shrink.js";

export interface CaseResult {
  op: ConformanceOp;
  /** Undefined for link follow-ups (they depend on the answer before them). */
  index?: number;
  kind: CaseKind;
  note: string;
  status?: number;
  failures: Failure[];
  /** The request as a command line. */
  request: string;
  shrunk?: { request: string; fromBytes: number; toBytes: number };
}

export interface RunOptions {
  seed: number;
  runs: number;
  operation?: string;
  /** Only this case of `operation` (links are not followed). */
  caseIndex?: number;
  /** Link chains stop at this depth (create → get → delete is 3). */
  linkDepth?: number;
  warn: (message: string) => void;
}

type Sent = { answer: Answer; failures: Failure[] } | { answer?: undefined; failures: Failure[] };

async function sendAndJudge(api: ConformanceApi, transport: Transport, op: ConformanceOp, input: ClientInput, c: Pick<Case, "invalid">): Promise<Sent> {
  let answer: Answer;
  try {
    answer = await transport.send(op, input);
  } catch (err) {
    if (err instanceof NoAnswer) return { failures: [{ check: "answer", reason: err.message }] };
    throw err;
  }
  return { answer, failures: c.invalid ? judgeInvalid(op, answer, c.invalid) : judgeValid(api, op, answer) };
}

export async function runConformance(api: ConformanceApi, transport: Transport, options: RunOptions): Promise<CaseResult[]> {
  const ops = options.operation === undefined ? api.ops : api.ops.filter((o) => o.id === options.operation);
  if (ops.length === 0) throw new Error(`no operation ${JSON.stringify(options.operation)} in the spec (operations: ${api.ops.map((o) => o.id).join(", ")})`);
  const results: CaseResult[] = [];
  for (const op of ops) {
    let cases = planOperation(api, op, options);
    if (options.caseIndex !== undefined) {
      cases = cases.filter((c) => c.index === options.caseIndex);
      if (cases.length === 0) throw new Error(`${op.id} has no case ${options.caseIndex} with --runs ${options.runs}`);
    }
    for (const c of cases) {
      const sent = await sendAndJudge(api, transport, op, c.input, c);
      const result: CaseResult = {
        op,
        index: c.index,
        kind: c.kind,
        note: c.note,
        status: sent.answer?.status,
        failures: sent.failures,
        request: transport.show(op, c.input),
      };
      results.push(result);
      if (sent.failures.length > 0 && c.arb && c.seed !== undefined) {
        const check = sent.failures[0]!.check;
        const smaller = await shrink(c.arb, c.seed, check, async (input) => (await sendAndJudge(api, transport, op, input, c)).failures.map((f) => f.check));
        if (smaller && inputBytes(smaller) < inputBytes(c.input))
          result.shrunk = { request: transport.show(op, smaller), fromBytes: inputBytes(c.input), toBytes: inputBytes(smaller) };
      }
      if (sent.answer && !c.invalid && sent.failures.length === 0 && options.caseIndex === undefined) {
        await follow(api, transport, op, c.input, sent.answer, options, results, [op.id]);
      }
    }
  }
  return results;
}

/** Runs the links of a 2xx answer, and the links of theirs, up to `linkDepth` operations in a chain. */
async function follow(
  api: ConformanceApi,
  transport: Transport,
  op: ConformanceOp,
  request: ClientInput,
  answer: Answer,
  options: RunOptions,
  results: CaseResult[],
  chain: string[],
): Promise<void> {
  if (answer.status < 200 || answer.status > 299 || chain.length >= (options.linkDepth ?? 3)) return;
  for (const link of linksOf(api, op, answer.status, options.warn)) {
    const drawn = sampleOne(validArb(api, link.target), caseSeed(options.seed, link.target.id, results.length));
    const input = followUpInput(link, drawn, request, answer);
    const sent = await sendAndJudge(api, transport, link.target, input, {});
    const path = [...chain, link.target.id].join(" → ");
    if (sent.answer && (sent.answer.status < 200 || sent.answer.status > 299))
      sent.failures.push({ check: "links", reason: `link ${link.name} (${path}) got ${sent.answer.status}, not a 2xx` });
    results.push({
      op: link.target,
      kind: "link",
      note: `link ${link.name}: ${path}`,
      status: sent.answer?.status,
      failures: sent.failures,
      request: transport.show(link.target, input),
    });
    if (sent.answer && sent.failures.length === 0) await follow(api, transport, link.target, input, sent.answer, options, results, [...chain, link.target.id]);
  }
}
