/**
 * How every hello step starts when run as a program. Credentials come from the
 * environment (SYMPHONY_TOKEN, else NATS_URL); failures are logged, never thrown at the user.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { runMain as runProgram, type Extension, type SetupFn } from "@symphony-codegen/runtime";

/** True when `moduleUrl` is the file node was started with (not merely imported). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return pathToFileURL(realpathSync(entry)).href === moduleUrl;
  } catch {
    return false;
  }
}

export function runMain(ext: Extension, setup: SetupFn = () => {}): Promise<void> {
  return runProgram(() => ext.runWithSetup(setup), ext.log);
}
