/**
 * How the example starts when run as a program: credentials from the
 * environment (SYMPHONY_TOKEN, else NATS_URL for a bare development server),
 * then `runWithSetup` until Ctrl+C. Failures are logged, never thrown at the user.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Extension, InvalidConfiguration, type SetupFn } from "symphony-codegen/runtime";

/** Gives the extension its credentials: the API token, or a NATS URL when no token is set. */
export function withCredentialsFromEnv(ext: Extension, env: NodeJS.ProcessEnv = process.env): Extension {
  const token = env.SYMPHONY_TOKEN?.trim();
  if (token) return ext.withToken(token);
  if (env.NATS_URL) return ext.withNatsUrl(env.NATS_URL);
  throw new InvalidConfiguration("SYMPHONY_TOKEN is required: run `npx symphony-codegen dev` and copy the token it prints (or set NATS_URL to a development NATS server)");
}

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

export async function runMain(ext: Extension, setup: SetupFn = () => {}): Promise<void> {
  try {
    await withCredentialsFromEnv(ext).runWithSetup(setup);
  } catch (err) {
    ext.log.error("extension failed", { error: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
  }
}
