/**
 * Runs a command without blocking the test worker: vitest's worker answers its runner over RPC, and
 * a synchronous child process of a minute or more (npm ci, npm install) makes that RPC time out.
 */
import { execFile } from "node:child_process";

export interface ExecOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** stdout of `cmd args`; rejects with the exit code and both outputs when it fails. */
export function exec(cmd: string, args: string[], { cwd, env }: ExecOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: env ?? process.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`\`${[cmd, ...args].join(" ")}\` in ${cwd} failed (${(err as { code?: unknown }).code ?? err.message}):\n${stdout}${stderr}`), { status: (err as { code?: unknown }).code, stdout, stderr }));
      else resolve(stdout);
    });
  });
}
