/**
 * The README (and each example's), followed verbatim by a user with one terminal: every command
 * line of every `sh` block runs, in order, in a fresh clone of this repository (with nothing
 * beside it), with the working directory carried from one line to the next (`cd`); each
 * document starts at the clone's root.
 *
 * - A command that serves until Ctrl-C (`npm run example`, `npm run dev`, `symphony-codegen dev`,
 *   `--watch`) starts in the background, is waited for (the gateway answers, or the watcher says
 *   it is watching) and gets SIGINT when the README's section ends.
 * - The gateway's port 8080 is swapped for a free port (other test files may hold 8080): servers
 *   get `--port <n>`, URLs the same port.
 * - `curl` lines are retried while the route is not there yet (an extension still registering)
 *   and must end with a status below 400, or the one their comment names (`# 400`).
 * - `npm test` in the clone itself is what is running this file: it is checked, not re-run
 *   (.ci/run runs exactly that command).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./helpers/exec.js";
import { freePort } from "./helpers/nats-server.js";
import { ROOT } from "./helpers/specs.js";

interface Step {
  section: string;
  line: string;
  /** A status the line's comment says to expect (`curl ... # 400`); otherwise any below 400. */
  status?: number;
}

/** Every command line of a markdown document's sh blocks (continuations joined), with its section. */
function readmeSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  let section = "";
  let inSh = false;
  let pending = "";
  for (const raw of markdown.split("\n")) {
    if (!inSh && /^## /.test(raw)) section = raw.slice(3).trim();
    if (/^```sh\s*$/.test(raw)) inSh = true;
    else if (inSh && /^```\s*$/.test(raw)) inSh = false;
    else if (inSh) {
      if (/\\$/.test(raw)) {
        pending += raw.slice(0, -1) + " ";
        continue;
      }
      const full = pending + raw;
      pending = "";
      const comment = /\s+#(?!!)\s*(.*)$/.exec(full);
      const line = (comment ? full.slice(0, comment.index) : full).trim(); // trailing comments, as the shell drops them
      if (!line || line.startsWith("#")) continue;
      const status = comment && /^\d{3}$/.test(comment[1]!.trim()) ? Number(comment[1]!.trim()) : undefined;
      steps.push({ section, line, ...(status ? { status } : {}) });
    }
  }
  return steps;
}

/** The documents followed, in order, each from the clone's root. */
const DOCUMENTS = ["README.md", "examples/hello/README.md", "examples/clock/README.md", "examples/markdown_content/README.md", "examples/demo_widgets/README.md", "examples/weather/README.md"];

const SERVES = /\bnpm run (example|dev)\b|\bsymphony-codegen dev\b|--watch\b/;

const dir = mkdtempSync(path.join(tmpdir(), "symphony-readme-"));
const servers: { proc: ChildProcess; output: () => string; line: string }[] = [];
afterAll(() => {
  for (const s of servers) signal(s.proc, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}, 300_000);

function signal(proc: ChildProcess, sig: NodeJS.Signals) {
  try {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) process.kill(-proc.pid, sig);
  } catch {
    // gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

describe("README and the examples' READMEs, followed verbatim in a fresh clone", () => {
  const steps = DOCUMENTS.flatMap((doc) => readmeSteps(readFileSync(path.join(ROOT, doc), "utf8")).map((s) => ({ ...s, doc, section: `${doc} § ${s.section}` })));

  it("has commands to follow, none with a placeholder to fill in", () => {
    expect(steps.length).toBeGreaterThan(5);
    expect(steps.filter((s) => /<[a-z][^>]*>/i.test(s.line)).map((s) => s.line)).toEqual([]);
    expect(readFileSync(path.join(ROOT, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  });

  it("every command works as written", async () => {
    const clone = path.join(dir, "repo");
    await exec("git", ["clone", "--quiet", ROOT, clone], { cwd: dir });
    const port = await freePort();
    let cwd = clone;
    let section = steps[0]?.section;
    const built = new Set<string>();
    const env = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", CI: "1" };
    const stopServers = async () => {
      for (const s of servers.splice(0)) {
        const exited = new Promise<void>((resolve) => (s.proc.exitCode !== null ? resolve() : s.proc.once("exit", () => resolve())));
        signal(s.proc, "SIGINT");
        const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
        expect(stopped, `\`${s.line}\` did not stop on SIGINT:\n${s.output()}`).toBe(true);
      }
    };

    for (const step of steps) {
      if (step.section !== section) {
        await stopServers();
        if (step.doc !== steps.find((s) => s.section === section)?.doc) cwd = clone;
        section = step.section;
      }
      const line = step.line.replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`);
      const where = `${step.section}: \`${step.line}\` (in ${path.relative(dir, cwd) || "."})`;
      const cd = /^cd\s+(\S+)$/.exec(line);
      if (cd) {
        cwd = path.resolve(cwd, cd[1]!);
        continue;
      }
      if (line === "npm test" && cwd === clone) continue; // this very run (see the first test)
      // Each example's README starts with `npm run build`: done once in a folder, the next ones build the same sources again.
      const once = `${cwd}\0${line}`;
      if (line === "npm run build" && built.has(once)) continue;
      if (line === "npm run build") built.add(once);
      if (SERVES.test(line)) {
        const withPort = /--watch\b/.test(line) ? line : /\bnpm run\b/.test(line) ? `${line} -- --port ${port}` : `${line} --port ${port}`;
        const proc = spawn("bash", ["-c", withPort], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
        proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
        servers.push({ proc, output: () => output, line });
        const ready = await waitFor(async () => {
          if (proc.exitCode !== null) return true;
          if (/--watch\b/.test(line)) return /watching/.test(output);
          return fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
        }, 240_000);
        expect(ready && proc.exitCode === null, `${where} did not start serving:\n${output}`).toBe(true);
        continue;
      }
      if (/^curl\b/.test(line)) {
        let status = 0;
        let out = "";
        await waitFor(async () => {
          // curl exits non-zero when nothing listens yet: that is a status of 0, retried like a 404.
          out = await exec("bash", ["-c", `${line} -s -w '\\n%{http_code}'`], { cwd, env }).catch((err: { stdout?: string }) => err.stdout ?? "0");
          status = Number(out.trim().split("\n").at(-1));
          return ![0, 404, 502, 503].includes(status);
        }, 60_000);
        if (step.status !== undefined) expect(status, `${where}:\n${out}`).toBe(step.status);
        else {
          expect(status, `${where}:\n${out}`).toBeGreaterThanOrEqual(200);
          expect(status, `${where}:\n${out}`).toBeLessThan(400);
        }
        continue;
      }
      try {
        await exec("bash", ["-c", line], { cwd, env });
      } catch (err) {
        expect.fail(`${where}: ${(err as Error).message}`);
      }
    }
    await stopServers();
    // Following the documents leaves the clone as it was (no regenerated file differs, nothing stray).
    expect(await exec("git", ["status", "--porcelain"], { cwd: clone })).toBe("");
    // npm ci, builds and six documents' servers: ~5 minutes on a quiet 2-core machine, three times that under load.
  }, 2_400_000);
});
