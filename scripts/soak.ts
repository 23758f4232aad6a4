/**
 * `npm run soak` (not in CI): steady load on the petstore example for `--minutes` (default 30) at
 * `--rate` requests/s (default 200), 80% through the typed client over NATS and 20% through
 * `symphony-codegen dev`'s gateway, a mix of findPets / findPetById (found and missing) / addPet /
 * deletePet that leaves the store's size steady. Every 10 s it samples, for the extension and the
 * gateway process, memory (RSS, V8's heap reservation and its live heap after a full collection),
 * p99 event-loop lag and active handles, reported by test/soak/probe.ts, preloaded into both. The verdict (test/soak/verdict.ts) says
 * whether each stayed flat; any failed or lost request fails the soak too. Prints the figures and
 * writes them into docs/reliability.md between the soak markers.
 *
 *   npm run soak                               # 30 min at 200 req/s
 *   npm run soak -- --minutes 3 --rate 100 --no-write
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHistogram } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { connect } from "nats";
import { createClient } from "../examples/petstore/src/generated/client.js";
import { ROOT, startExample, startGateway, waitRouted, type Watched } from "../test/fuzz/processes.js";
import { writeDocSection } from "../test/helpers/doc-section.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import type { ProbeLine } from "../test/soak/probe.js";
import { LIMITS, soakVerdict, type SoakSample, type SoakVerdict } from "../test/soak/verdict.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    "no-write": { type: "boolean", default: false },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const rate = Number(values.rate);
const SAMPLE_MS = 10_000;
const TABLE_EVERY_MS = 5 * 60_000;
/** Requests in flight beyond which the generator skips a tick's requests (counted) rather than queue without bound. */
const MAX_IN_FLIGHT = 1000;
const CALL_TIMEOUT_MS = 10_000;
// Short runs (trying the script out) keep a proportionate warm-up; 30 min excludes the first 2.
const limits = {
  ...LIMITS,
  warmupMs: Math.min(LIMITS.warmupMs, durationMs / 5),
};

const PROBE = path.join(ROOT, "test", "soak", "probe.ts");
const dir = mkdtempSync(path.join(tmpdir(), "soak-"));
const probeEnv = (name: string) => ({
  preload: [PROBE],
  env: {
    SOAK_PROBE_FILE: path.join(dir, `${name}.jsonl`),
    SOAK_PROBE_MS: String(SAMPLE_MS),
  },
});

const nats = await startNatsServer();
const { proc: gateway, httpUrl } = await startGateway(nats.url, probeEnv("gateway"));
const extension = await startExample("petstore", nats.url, probeEnv("extension"));
await waitRouted(gateway, httpUrl, ["petstore"]);
const watched: { name: string; proc: Watched; file: string }[] = [
  {
    name: "extension",
    proc: extension,
    file: probeEnv("extension").env.SOAK_PROBE_FILE,
  },
  {
    name: "gateway",
    proc: gateway,
    file: probeEnv("gateway").env.SOAK_PROBE_FILE,
  },
];
const nc = await connect({ servers: nats.url, name: "soak" });
const client = createClient(nc, "petstore", { timeout: CALL_TIMEOUT_MS });
const api = `${httpUrl}/api/petstore`;

// --- load ---------------------------------------------------------------------------------------
type Op = "findPets" | "findPetById" | "findMissing" | "addPet" | "deletePet";
/** One addPet and one deletePet per cycle: the store holds the seed pet plus the pets in flight. */
const CYCLE: Op[] = ["findPets", "addPet", "findPetById", "findPets", "deletePet", "findPetById", "findMissing", "findPets", "findPetById", "findPets"];
const EXPECTED: Record<Op, number> = {
  findPets: 200,
  findPetById: 200,
  findMissing: 404,
  addPet: 201,
  deletePet: 204,
};
const created: number[] = [];
const counts = {
  sent: 0,
  ok: 0,
  failed: 0,
  skipped: 0,
  inFlight: 0,
  viaGateway: 0,
};
const failures = new Map<string, number>();
let latency = createHistogram();
const allLatency = createHistogram();

async function overClient(op: Op, id: number | undefined): Promise<{ status: number; id?: number }> {
  const o = { timeout: CALL_TIMEOUT_MS };
  if (op === "findPets") return client.findPets({ query: { limit: 50 } }, o);
  if (op === "findPetById") return client.findPetById({ path: { id: 1 } }, o);
  if (op === "findMissing") return client.findPetById({ path: { id: 999_999_999 } }, o);
  if (op === "deletePet") return client.deletePet({ path: { id: id! } }, o);
  const res = await client.addPet({ body: { name: "soak", tag: "cat" } }, o);
  return {
    status: res.status,
    id: res.status === 201 ? (res.body as { id: number }).id : undefined,
  };
}

async function overGateway(op: Op, id: number | undefined): Promise<{ status: number; id?: number }> {
  const signal = AbortSignal.timeout(CALL_TIMEOUT_MS);
  const res =
    op === "findPets"
      ? await fetch(`${api}/pets?limit=50`, { signal })
      : op === "findPetById"
        ? await fetch(`${api}/pets/1`, { signal })
        : op === "findMissing"
          ? await fetch(`${api}/pets/999999999`, { signal })
          : op === "deletePet"
            ? await fetch(`${api}/pets/${id}`, { method: "DELETE", signal })
            : await fetch(`${api}/pets`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: '{"name":"soak","tag":"cat"}',
                signal,
              });
  const text = await res.text();
  return {
    status: res.status,
    id: op === "addPet" && res.status === 201 ? (JSON.parse(text) as { id: number }).id : undefined,
  };
}

function fire(i: number): void {
  let op = CYCLE[i % CYCLE.length]!;
  const id = op === "deletePet" ? created.shift() : undefined;
  if (op === "deletePet" && id === undefined) op = "findPets";
  // Every fifth cycle goes through the gateway.
  const gateway = Math.floor(i / CYCLE.length) % 5 === 0;
  const via = gateway ? "gateway" : "client";
  if (gateway) counts.viaGateway++;
  counts.sent++;
  counts.inFlight++;
  const fail = (what: string) => {
    counts.failed++;
    failures.set(what, (failures.get(what) ?? 0) + 1);
  };
  const t0 = performance.now();
  void (gateway ? overGateway : overClient)(op, id)
    .finally(() => counts.inFlight--)
    .then(
      (res) => {
        const ms = Math.max(1, Math.round((performance.now() - t0) * 1000));
        latency.record(ms);
        allLatency.record(ms);
        if (res.id !== undefined) created.push(res.id);
        if (res.status === EXPECTED[op]) counts.ok++;
        else fail(`${op} via ${via}: HTTP ${res.status}`);
      },
      (err: unknown) => fail(`${op} via ${via}: ${(err as Error).name ?? "error"} ${(err as Error).message ?? ""}`.trim()),
    );
}

const started = performance.now();
let next = 0;
const ticker = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * rate);
  while (next < due) {
    if (counts.inFlight >= MAX_IN_FLIGHT) {
      counts.skipped += due - next;
      next = due;
      break;
    }
    fire(next++);
  }
}, 10);

// --- sampling -----------------------------------------------------------------------------------
interface Row extends SoakSample {
  lagMaxMs: number;
  byType: Record<string, number>;
  heapUsedKiB: number;
  externalKiB: number;
  arrayBuffersKiB: number;
}
const samples = new Map<string, Row[]>(watched.map((w) => [w.name, []]));
const periods: { atMs: number; rate: number; p99Ms: number; failed: number }[] = [];
let lastOkAndFailed = 0;

function lastProbeLine(file: string): ProbeLine | undefined {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    return JSON.parse(lines[lines.length - 1]!) as ProbeLine;
  } catch {
    return undefined;
  }
}

function sample(): void {
  const atMs = Math.round(performance.now() - started);
  for (const w of watched) {
    // Memory figures come from the probe: RSS and the heap at the same instant.
    const line = lastProbeLine(w.file);
    if (!line) continue;
    samples.get(w.name)!.push({
      atMs,
      rssKiB: line.rssKiB,
      lagP99Ms: line.lagP99Ms,
      lagMaxMs: line.lagMaxMs,
      handles: line.handles,
      byType: line.byType,
      heapUsedKiB: line.heapUsedKiB,
      heapTotalKiB: line.heapTotalKiB,
      externalKiB: line.externalKiB,
      arrayBuffersKiB: line.arrayBuffersKiB,
      liveHeapKiB: line.liveHeapKiB,
    });
  }
  const done = counts.ok + counts.failed;
  periods.push({
    atMs,
    rate: ((done - lastOkAndFailed) * 1000) / SAMPLE_MS,
    p99Ms: latency.count ? latency.percentile(99) / 1000 : 0,
    failed: counts.failed,
  });
  lastOkAndFailed = done;
  latency = createHistogram();
  const e = samples.get("extension")!.at(-1);
  const g = samples.get("gateway")!.at(-1);
  const p = periods.at(-1)!;
  console.log(
    `${(atMs / 60_000).toFixed(1).padStart(5)} min  ext rss ${mib(e?.rssKiB)} heap ${mib(e?.liveHeapKiB)}/${mib(e?.heapTotalKiB)} lag p99 ${e?.lagP99Ms ?? "?"} ms handles ${e?.handles ?? "?"}  |  ` +
      `gw rss ${mib(g?.rssKiB)} heap ${mib(g?.liveHeapKiB)}/${mib(g?.heapTotalKiB)} lag p99 ${g?.lagP99Ms ?? "?"} ms handles ${g?.handles ?? "?"}  |  ${p.rate.toFixed(0)} req/s p99 ${p.p99Ms.toFixed(1)} ms failed ${counts.failed} skipped ${counts.skipped}`,
  );
}
const mib = (kib: number | undefined) => (kib === undefined ? "?" : `${(kib / 1024).toFixed(1)} MiB`);

const sampler = setInterval(sample, SAMPLE_MS);
await new Promise((r) => setTimeout(r, durationMs));
clearInterval(ticker);
clearInterval(sampler);
sample();
const elapsedS = (performance.now() - started) / 1000;
const drainEnd = Date.now() + CALL_TIMEOUT_MS + 5_000;
while (counts.inFlight > 0 && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 100));
const lost = counts.inFlight;

await nc.close();
await Promise.all(watched.map((w) => w.proc.stop()));
await nats.stop();

// --- report -------------------------------------------------------------------------------------
const verdicts = new Map<string, SoakVerdict>();
for (const [name, rows] of samples) verdicts.set(name, soakVerdict(rows, limits));

const byTime = <T extends { atMs: number }>(rows: T[], at: number): T | undefined => rows.find((r) => r.atMs >= at - SAMPLE_MS / 2);
const marks: number[] = [];
for (let at = 0; at < durationMs; at += TABLE_EVERY_MS) marks.push(at);
marks.push(Math.max(...[...samples.values()].map((rows) => rows.at(-1)?.atMs ?? 0)));
const ext = samples.get("extension")!;
const gw = samples.get("gateway")!;
const fmt = (n: number | undefined, digits = 1) => (n === undefined ? "–" : n.toFixed(digits));
const sampleTable = [
  "| min | ext. RSS MiB | ext. heap reserved / live MiB | ext. p99 lag ms | ext. handles | gw. RSS MiB | gw. heap reserved / live MiB | gw. p99 lag ms | gw. handles | req/s (10 s) | client p99 ms |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...marks.map((at) => {
    const e = byTime(ext, at);
    const g = byTime(gw, at);
    const p = byTime(periods, at);
    const heap = (r: Row | undefined) => (r ? `${fmt(r.heapTotalKiB / 1024)} / ${fmt(r.liveHeapKiB && r.liveHeapKiB / 1024)}` : "–");
    return `| ${fmt((e?.atMs ?? at) / 60_000)} | ${fmt(e && e.rssKiB / 1024)} | ${heap(e)} | ${fmt(e?.lagP99Ms)} | ${e?.handles ?? "–"} | ${fmt(g && g.rssKiB / 1024)} | ${heap(g)} | ${fmt(g?.lagP99Ms)} | ${g?.handles ?? "–"} | ${fmt(p?.rate, 0)} | ${fmt(p?.p99Ms)} |`;
  }),
].join("\n");

const yes = (flat: boolean) => (flat ? "flat" : "**not flat**");
const verdictTable = [
  "| process | metric | early median | late median | change | limit | verdict |",
  "|---|---|---:|---:|---:|---:|---|",
  ...[...verdicts].flatMap(([name, v]) => [
    `| ${name} | live heap (after full GC) | ${fmt(v.liveHeap.early / 1024)} MiB | ${fmt(v.liveHeap.late / 1024)} MiB | ×${v.liveHeap.change.toFixed(3)} | ×${v.liveHeap.limit} | ${yes(v.liveHeap.flat)} |`,
    `| ${name} | RSS outside the V8 heap | ${fmt(v.nativeRss.early / 1024)} MiB | ${fmt(v.nativeRss.late / 1024)} MiB | ×${v.nativeRss.change.toFixed(3)} | ×${v.nativeRss.limit} | ${yes(v.nativeRss.flat)} |`,
    `| ${name} | p99 event-loop lag | ${fmt(v.lag.early)} ms | ${fmt(v.lag.late)} ms | ×${v.lag.change.toFixed(2)} | ×${v.lag.limit} | ${yes(v.lag.flat)} |`,
    `| ${name} | active handles | ${v.handles.early} | ${v.handles.late} | ${v.handles.change >= 0 ? "+" : ""}${v.handles.change} | ±${v.handles.limit} | ${yes(v.handles.flat)} |`,
    `| ${name} | RSS (reported; judged as the two parts above) | ${fmt(v.rss.early / 1024)} MiB | ${fmt(v.rss.late / 1024)} MiB | ×${v.rss.change.toFixed(3)} | – | – |`,
  ]),
].join("\n");

const achieved = (counts.ok + counts.failed) / elapsedS;
const failureList = [...failures].map(([what, n]) => `${what} × ${n}`).join("; ");
const requests =
  `${counts.sent} requests sent (${counts.viaGateway} through the gateway) at a target of ${rate} req/s, achieved ${achieved.toFixed(1)} req/s; ` +
  `failed **${counts.failed}**${failureList ? ` (${failureList})` : ""}, lost (no answer by the end) **${lost}**, not sent because ${MAX_IN_FLIGHT} were in flight: ${counts.skipped}; ` +
  `client-side latency p50 ${fmt(allLatency.percentile(50) / 1000)} ms, p99 ${fmt(allLatency.percentile(99) / 1000)} ms.`;
const passed = [...verdicts.values()].every((v) => v.flat) && counts.failed === 0 && lost === 0;
const method =
  `## Soak\n\n` +
  `\`npm run soak\` (scripts/soak.ts, not in CI) runs the petstore example and \`symphony-codegen dev\` as processes on a real nats-server ` +
  `and drives a steady mix of findPets / findPetById (found, missing) / addPet / deletePet at a fixed rate, 80% through the typed client ` +
  `over NATS and 20% through the gateway; every 10 s a probe preloaded into each process (test/soak/probe.ts) reports its memory, p99 ` +
  `event-loop lag and active handle count. Flat means: the median of the last 20% of samples against the median of the 20% after a ` +
  `${limits.warmupMs / 60_000}-minute warm-up grows at most ${Math.round((LIMITS.memoryGrowth - 1) * 100)}% (memory), at most ` +
  `${LIMITS.lagGrowth}× (p99 lag), by at most ${LIMITS.handleDelta} (handles); any failed or lost request fails the soak.\n\n` +
  `Memory is judged in the two parts a leak can grow: the **live heap** (V8 heap in use right after a full collection: every ` +
  `reachable JS object) and **RSS outside the V8 heap** (code, C++ objects, Buffers, malloc). RSS as a whole also carries V8's heap ` +
  `*reservation*, which V8 sizes to the allocation rate, growing its young generation step by step under steady load and shrinking it ` +
  `when idle; that is reported (RSS, "heap reserved") beside the verdict but not judged alone (see below).`;
const summary = `Measured with \`npm run soak -- --minutes ${values.minutes} --rate ${rate}\` on ${new Date().toISOString().slice(0, 10)} (2 shared cores): ${requests} Verdict: **${passed ? "pass" : "fail"}**.`;
const body = `${method}\n\n${sampleTable}\n\n${verdictTable}\n\n${summary}`;
const json = path.join(dir, "samples.json");
writeFileSync(
  json,
  JSON.stringify(
    {
      counts,
      lost,
      failures: Object.fromEntries(failures),
      samples: Object.fromEntries(samples),
      periods,
      verdicts: Object.fromEntries(verdicts),
    },
    null,
    1,
  ),
);
console.log(`\n${body}\n\nall samples: ${json}`);
if (!values["no-write"]) {
  writeDocSection(path.join(ROOT, "docs/reliability.md"), "soak", body);
  console.log("\nwrote docs/reliability.md");
}
process.exit(passed ? 0 : 1);
