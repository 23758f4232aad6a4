/**
 * `symphony-codegen test` as users run it: the CLI as a process against real extensions (each
 * example as its own process, and the deliberately broken one of test/helpers/broken-extension.ts)
 * on the nats-server and gateway of `symphony-codegen dev --port 0`. Every example passes; each
 * seeded defect is found and named in the table and the JUnit XML; a seed always gives the same
 * cases; failures are shrunk and replayable; usage and connection problems exit 2.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, killStarted, ROOT, startDev, until, type Running } from "./helpers/dev-cli.js";
import { startExample, type ExampleProcess } from "./helpers/example-process.js";

let dev: Running;
const extensions: ExampleProcess[] = [];
const out = mkdtempSync(path.join(tmpdir(), "conformance-"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `symphony-codegen test <args>` to its end (exit code 1 is an answer here, not an error). */
function test(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "test", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function start(main: string, env: Record<string, string> = {}): Promise<void> {
  const ext = startExample({ NATS_URL: dev.natsUrl, ...env }, path.join(ROOT, main));
  extensions.push(ext);
  await until(`${main} to run`, () => ext.hasLine("extension running"), 60_000);
}

beforeAll(async () => {
  dev = await startDev();
  await Promise.all([
    ...["petstore", "features", "clock", "hello", "markdown_content"].map((name) => start(`examples/${name}/src/main.ts`, { SYMPHONY_DEV: "1" })),
    // Their upstream services: the stand-ins each example starts in-process.
    start("examples/demo_widgets/src/main.ts", { SYMPHONY_DEV: "1", MANAGEMENT_URL: "fake" }),
    start("examples/weather/src/main.ts", { SYMPHONY_DEV: "1", WEATHER_API_URL: "fake" }),
    start("test/helpers/broken-extension.ts"),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(extensions.map((e) => e.kill()));
  killStarted();
});

const BROKEN = "fixtures/conformance/broken.yaml";
const SEED = ["--seed", "7"];

describe("symphony-codegen test over the examples", () => {
  // Half over NATS, half through the gateway; hello's greeter is its hand-written endpoint.
  const cases: [string, "nats" | "gateway"][] = [
    ["examples/petstore/openapi.yaml", "gateway"],
    ["examples/features/openapi.yaml", "nats"],
    ["examples/clock/openapi.yaml", "gateway"],
    ["examples/hello/openapi.yaml", "nats"],
    ["examples/hello/greeter.yaml", "gateway"],
    ["examples/markdown_content/openapi.yaml", "nats"],
    ["examples/demo_widgets/openapi.yaml", "gateway"],
    ["examples/weather/openapi.yaml", "nats"],
  ];
  it.each(cases)(
    "%s passes (over %s)",
    async (spec, transport) => {
      const url = transport === "nats" ? dev.natsUrl : dev.httpUrl;
      const run = await test([spec, `--${transport}`, url, ...SEED, "--runs", "15"]);
      expect(run.stdout + run.stderr).toMatch(/\d+ cases, \d+ passed, 0 failed/);
      expect(run.code).toBe(0);
      // Something was sent: each operation has at least its valid cases.
      const total = Number(/(\d+) cases,/.exec(run.stdout)![1]);
      expect(total).toBeGreaterThanOrEqual(15);
    },
    120_000,
  );
});

describe("symphony-codegen test over a broken extension", () => {
  let run: Run;
  let junit: string;
  beforeAll(async () => {
    const file = path.join(out, "broken.xml");
    run = await test([BROKEN, "--nats", dev.natsUrl, ...SEED, "--runs", "10", "--junit", file]);
    junit = readFileSync(file, "utf8");
  }, 120_000);

  const row = (op: string) => run.stdout.split("\n").find((l) => l.startsWith(op + " "))!;
  /** The JUnit testcase of an operation and check: its failure message, or null when it passed. */
  const testcase = (op: string, check: string) => {
    const m = new RegExp(`<testcase classname="Broken Store\\.${op}" name="${check}"(/>|>\\s*<failure message="([^"]*)")`).exec(junit);
    if (!m) throw new Error(`no testcase ${op} ${check} in:\n${junit}`);
    return m[1] === "/>" ? null : m[2]!;
  };

  it("exits 1 and finds every seeded defect, in the table and in JUnit XML", () => {
    expect(run.code).toBe(1);
    expect(row("deleteItem")).toMatch(/status: status 200 is not declared \(declared: 204, 400, 404\)/);
    expect(row("listItems")).toMatch(/body-schema: 200 body at "\/0\/qty" must be integer/);
    expect(row("getReport")).toMatch(/server-error: 500/);
    expect(row("createItem")).toMatch(/validation: accepted an invalid body field \/(name|qty) with 201/);
    expect(testcase("deleteItem", "status")).toMatch(/status 200 is not declared/);
    expect(testcase("listItems", "body-schema")).toMatch(/\/0\/qty/);
    expect(testcase("getReport", "server-error")).toMatch(/^500/);
    expect(testcase("createItem", "validation")).toMatch(/accepted an invalid body field/);
    // The correct operation passes every check, the wrong ones only the checks they meet.
    for (const check of ["answer", "server-error", "status", "content-type", "body-schema", "headers", "validation", "links"])
      expect(testcase("getItem", check)).toBeNull();
    expect(testcase("deleteItem", "validation")).toBeNull();
    expect(testcase("listItems", "validation")).toBeNull();
  });

  it("follows links: create → get → delete", () => {
    expect(run.stdout).toContain("link DeleteItem: createItem → getItem → deleteItem");
    // The get after each create found the item (getItem passed above, link cases included).
    expect(Number(row("getItem").split(/\s+/)[1])).toBeGreaterThan(11);
  });

  it("shrinks a failure to a smaller request and prints a replay that fails the same way", async () => {
    const block = run.stdout.split("\n\n").find((b) => /^✗ createItem #\d+ invalid/.test(b) && b.includes("shrunk from"))!;
    expect(block).toBeDefined();
    const [, from, to] = /shrunk from (\d+) to (\d+) bytes/.exec(block)!;
    expect(Number(to)).toBeLessThan(Number(from));
    const replay = /replay: symphony-codegen test (.*)/.exec(block)![1]!.split(" ");
    const again = await test(replay);
    expect(again.code).toBe(1);
    const reason = /\[validation\] (.*)/.exec(block)![1]!;
    expect(again.stdout).toContain(reason);
    expect(again.stdout).toMatch(/^1 cases, 0 passed, 1 failed$/m);
  }, 120_000);

  it("sends the same cases for the same seed, other ones for another", async () => {
    const requests = (r: Run) =>
      r.stdout
        .split("\n\n")
        .filter((b) => /^✗ createItem #\d+/.test(b))
        .map((b) => /request: (.*)/.exec(b)![1]);
    const args = (seed: string) => [BROKEN, "--nats", dev.natsUrl, "--prefix", "broken", "--seed", seed, "--runs", "10", "--operation", "createItem"];
    const [a, b, c] = await Promise.all([test(args("7")), test(args("7")), test(args("8"))]);
    expect(requests(a).length).toBeGreaterThan(0);
    expect(requests(b)).toEqual(requests(a));
    expect(requests(c)).not.toEqual(requests(a));
  }, 120_000);
});

describe("symphony-codegen test usage", () => {
  it.each([
    ["neither --nats nor --gateway", [BROKEN], /exactly one of --nats/],
    ["an unreachable NATS server", [BROKEN, "--nats", "nats://127.0.0.1:1"], /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/],
    [
      "an operation the spec lacks",
      [BROKEN, "--nats", "nats://127.0.0.1:1", "--operation", "nope"],
      /no operation "nope" in .*broken\.yaml \(operations: listItems, createItem/,
    ],
    ["a spec that cannot be read", ["nonexistent.yaml", "--nats", "nats://127.0.0.1:1"], /cannot read nonexistent\.yaml: no such file/],
    ["a bad --runs", [BROKEN, "--nats", "nats://127.0.0.1:1", "--runs", "x"], /--runs must be an integer/],
    [
      "a spec no service serves",
      ["fixtures/route-rank.yaml", "--nats", "NATS"],
      /no running service on nats:\/\/\S+ serves every endpoint of "Route rank" \(getVariant, /,
    ],
  ])(
    "exits 2 with a clear message for %s",
    async (_what, args, message) => {
      const run = await test((args as string[]).map((a) => (a === "NATS" ? dev.natsUrl : a)));
      expect(run.stderr).toMatch(message as RegExp);
      expect(run.code).toBe(2);
    },
    60_000,
  );
});
