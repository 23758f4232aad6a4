/**
 * The fuzz harness (test/fuzz/, docs/reliability.md) at 5,000 cases of a fixed seed: the example
 * services and `symphony-codegen dev` as real processes on a real nats-server. Every case must be
 * answered exactly once, with no unexpected 5xx and no malformed answer, and no process's prototypes
 * may change. A failure prints the seed and, for each kind of failure, one case to replay.
 * FUZZ_SEED / FUZZ_CASES pick another seed or size; `npm run fuzz` runs 100,000.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_TARGETS, KINDS, loadOperations, type FuzzCase } from "./fuzz/cases.js";
import { judgeHttpResponse, judgeNatsReply } from "./fuzz/oracle.js";
import { figuresMarkdown } from "./fuzz/report.js";
import { runFuzz } from "./fuzz/run.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_250_712);
const CASES = Number(process.env.FUZZ_CASES ?? 5000);

describe("fuzz", () => {
  it("the oracle fails a lost-shape reply, a raw reply, an undesigned 5xx and a 400 naming no field", async () => {
    const ops = await loadOperations(DEFAULT_TARGETS);
    const widget = ops.find((o) => o.model.handlerName === "createWidget")!;
    const c = { op: widget } as FuzzCase;
    const wrapped = (reply: unknown) => judgeNatsReply(c, Buffer.from(JSON.stringify(reply)));
    expect(judgeNatsReply(c, Buffer.from("not json")).cls).toBe("bad-reply");
    expect(wrapped([1, 2]).cls).toBe("bad-reply");
    expect(wrapped({ body: null, statuscode: 700 }).cls).toBe("bad-reply");
    expect(wrapped({ body: { code: 500, message: "x" }, statuscode: 500 }).cls).toBe("5xx");
    expect(
      wrapped({
        body: { code: 503, message: "x" },
        statuscode: 503,
        contenttype: "application/json",
      }).cls,
    ).toBe("5xx-designed");
    const problem = {
      type: "urn:symphony:problem:invalid-request",
      title: "Bad Request",
      status: 400,
      detail: "x",
    };
    expect(
      wrapped({
        body: problem,
        statuscode: 400,
        contenttype: "application/problem+json",
      }).cls,
    ).toBe("bad-4xx");
    expect(
      wrapped({
        body: { ...problem, errors: [{ in: "query", message: "x" }] },
        statuscode: 400,
        contenttype: "application/problem+json",
      }).cls,
    ).toBe("bad-4xx");
    expect(
      wrapped({
        body: {
          ...problem,
          errors: [{ in: "query", name: "limit", message: "x" }],
        },
        statuscode: 400,
        contenttype: "application/problem+json",
      }).cls,
    ).toBe("4xx");
    expect(judgeHttpResponse(c, "GET", 504, "application/problem+json", "{}").cls).toBe("lost");
    expect(judgeHttpResponse(c, "GET", 404, "text/html", "<p>no</p>").cls).toBe("bad-4xx");
  });

  it(`${CASES} cases (seed ${SEED}): each answered once, no unexpected 5xx, no malformed answer, prototypes untouched`, { timeout: 15 * 60_000 }, async () => {
    const report = await runFuzz({ cases: CASES, seed: SEED });
    process.stdout.write(`\n${figuresMarkdown(report)}\n`);
    // Every kind of case and every operation was exercised (the generator cannot silently narrow).
    for (const kind of KINDS) expect(report.byKind[kind]?.cases ?? 0, kind).toBeGreaterThan(0);
    expect(report.total.cases).toBe(CASES);
    const failures = report.findings.map(
      (f) =>
        `${f.cls} ×${f.count} over ${f.transport}: ${f.detail}\n  seed ${SEED}, case ${f.example.index} (${f.example.note}) in ${f.operations[0]}: ` +
        `npm run fuzz -- --seed ${SEED} --case ${f.example.index}\n  ${f.example.replay.replace(/\n/g, "\n  ")}`,
    );
    expect(failures, `seed ${SEED}: ${failures.length} kinds of failure`).toEqual([]);
    expect(report.total.lost).toBe(0);
    expect(report.total["5xx"]).toBe(0);
    expect(report.total.answered).toBe(CASES);
    for (const p of report.processes) {
      expect(p.alive, `${p.name} still running`).toBe(true);
      if (p.name !== "nats-server") expect(p.prototypesChanged, `${p.name}: prototypes`).toEqual([]);
    }
  });
});
