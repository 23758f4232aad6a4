/** Prints one plain closing line ("Tests: N passed, N failed, N skipped") after vitest's own report. */
import type { Reporter } from "vitest/reporters";

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

function count(tasks: Task[], totals: { passed: number; failed: number; skipped: number }) {
  for (const t of tasks) {
    if (t.tasks) count(t.tasks, totals);
    if (t.type !== "test") continue;
    if (t.mode === "skip" || t.mode === "todo") totals.skipped++;
    else if (t.result?.state === "pass") totals.passed++;
    else if (t.result?.state === "fail") totals.failed++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: unknown[] = []) {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files as Task[], totals);
    process.stdout.write(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
