/**
 * Where an extension's API token comes from (reference SDK "Authentication";
 * docs/sdk-auth.md), in this order:
 *
 * 1. `withToken()` — or, when it was not given (or given empty), `SYMPHONY_TOKEN`;
 * 2. a token stored by an earlier provisioning run: the OS credential store
 *    (Keychain, Credential Manager, Secret Service), then the file fallback
 *    `$XDG_CONFIG_HOME/cirata/<prefix>.token` (default `~/.config/cirata/`);
 * 3. `REGISTRATION_TOKEN`: one-time provisioning of a permanent API key with the
 *    extension's declared capabilities, stored for the next runs (OS store, else file).
 *
 * With none of these, one error line with instructions is logged and
 * {@link InvalidConfiguration} is thrown: nothing ever prompts on stdin.
 * Tokens are never logged.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { InvalidConfiguration } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { Capability } from "./platform.js";
import { provisionToken } from "./token.js";

/** Service name of the OS credential store entries; the account is the extension prefix. */
export const KEYRING_SERVICE = "cirata-symphony";

/** A place a provisioned token is kept between runs. */
export interface CredentialStore {
  /** "keyring" (OS credential store) or "file". */
  readonly name: "keyring" | "file";
  get(prefix: string): Promise<string | undefined>;
  set(prefix: string, token: string): Promise<void>;
  /** Forgets the stored token; true when there was one. */
  delete(prefix: string): Promise<boolean>;
}

export type TokenSource = "withToken" | "SYMPHONY_TOKEN" | "keyring" | "file" | "REGISTRATION_TOKEN";

export interface ResolvedToken {
  token: string;
  source: TokenSource;
}

export interface ResolveTokenOptions {
  /** The `withToken()` value. */
  explicit?: string;
  prefix: string;
  /** Declared capabilities, sent when provisioning. */
  capabilities: Capability[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  fetchImpl?: typeof fetch;
}

/**
 * `$XDG_CONFIG_HOME/cirata` when XDG_CONFIG_HOME is an absolute path, else
 * `$HOME/.config/cirata` (HOME falling back to the OS's idea of home).
 */
export function credentialDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME?.trim() || homedir(), ".config");
  return path.join(base, "cirata");
}

/** The fallback file holding the provisioned token of extension `prefix`. */
export function tokenFilePath(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new InvalidConfiguration(`Extension prefix ${JSON.stringify(prefix)} cannot name a token file`);
  return path.join(credentialDirectory(env), `${prefix}.token`);
}

/** File fallback: one `<prefix>.token` per extension, file mode 0600 in a 0700 directory. */
export function fileCredentialStore(env: NodeJS.ProcessEnv = process.env): CredentialStore {
  return {
    name: "file",
    async get(prefix) {
      try {
        return (await readFile(tokenFilePath(prefix, env), "utf8")).trim() || undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
    },
    async set(prefix, token) {
      const file = tokenFilePath(prefix, env);
      const dir = path.dirname(file);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      // Write beside the target and rename, so a reader never sees half a token.
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, token + "\n", { mode: 0o600, flag: "w" });
      await chmod(temp, 0o600);
      await rename(temp, file);
    },
    async delete(prefix) {
      try {
        await rm(tokenFilePath(prefix, env));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw err;
      }
    },
  };
}

type KeyringModule = typeof import("@napi-rs/keyring");
let keyringModule: Promise<KeyringModule | undefined> | undefined;

/** Loads the native binding only when needed; a missing module (or platform build) is not an error. */
function loadKeyring(): Promise<KeyringModule | undefined> {
  keyringModule ??= import("@napi-rs/keyring").then(
    (m) => m,
    () => undefined,
  );
  return keyringModule;
}

const KEYRING_TIMEOUT_MS = 5_000;

/**
 * The OS credential store through `@napi-rs/keyring`, or undefined when the
 * binding cannot load or `SYMPHONY_CREDENTIAL_STORE=file`. On Linux the entry is
 * pinned to the Secret Service: without a session bus or keyring daemon
 * (containers) every call fails and the caller falls back to the file, rather
 * than to the kernel keyring, which forgets the token at logout.
 */
export async function osCredentialStore(env: NodeJS.ProcessEnv = process.env): Promise<CredentialStore | undefined> {
  if (credentialStoreMode(env) === "file") return undefined;
  const keyring = await loadKeyring();
  if (!keyring) return undefined;
  const entry = (prefix: string) => new keyring.AsyncEntry(KEYRING_SERVICE, prefix, process.platform === "linux" ? { linux: { store: "secret-service" } } : undefined);
  return {
    name: "keyring",
    async get(prefix) {
      return (await entry(prefix).getPassword(AbortSignal.timeout(KEYRING_TIMEOUT_MS)))?.trim() || undefined;
    },
    async set(prefix, token) {
      await entry(prefix).setPassword(token, AbortSignal.timeout(KEYRING_TIMEOUT_MS));
    },
    async delete(prefix) {
      return entry(prefix).deletePassword(AbortSignal.timeout(KEYRING_TIMEOUT_MS));
    },
  };
}

/** `SYMPHONY_CREDENTIAL_STORE`: "auto" (default: OS store, else file) or "file" (never touch the OS store). */
export function credentialStoreMode(env: NodeJS.ProcessEnv = process.env): "auto" | "file" {
  const mode = (env.SYMPHONY_CREDENTIAL_STORE ?? "").trim().toLowerCase();
  if (mode === "" || mode === "auto") return "auto";
  if (mode === "file") return "file";
  throw new InvalidConfiguration(`SYMPHONY_CREDENTIAL_STORE must be "auto" or "file", got ${JSON.stringify(env.SYMPHONY_CREDENTIAL_STORE)}`);
}

/** Runs a credential-store call; an unavailable store (no daemon, locked, denied) reads as "nothing there". */
async function attempt<T>(what: string, log: Logger, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    log.debug(`${what} unavailable`, { reason: err instanceof Error ? err.message : String(err) });
    return { ok: false };
  }
}

/** The one error line (and error) when no token can be found anywhere. */
export function missingTokenMessage(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  return (
    `No API token for extension ${prefix}. Do one of: ` +
    `set SYMPHONY_TOKEN (or call withToken()) to an API key token from the Symphony API Keys page; ` +
    `or run once with REGISTRATION_TOKEN set to a registration token, which provisions a permanent key and stores it ` +
    `(OS credential store "${KEYRING_SERVICE}", else ${tokenFilePath(prefix, env)}); ` +
    `or set NATS_URL to a NATS server for local development (e.g. the one \`symphony-codegen dev\` prints).`
  );
}

/** Finds the API token in the documented order, provisioning one from REGISTRATION_TOKEN when needed. */
export async function resolveToken(options: ResolveTokenOptions): Promise<ResolvedToken> {
  const { prefix, log } = options;
  const env = options.env ?? process.env;

  const explicit = options.explicit?.trim();
  if (explicit) return { token: explicit, source: "withToken" };
  const fromEnv = env.SYMPHONY_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: "SYMPHONY_TOKEN" };

  const os = await osCredentialStore(env);
  if (os) {
    const stored = await attempt("OS credential store", log, () => os.get(prefix));
    if (stored.ok && stored.value) {
      log.info("using the API token from the OS credential store", { store: "keyring" });
      return { token: stored.value, source: "keyring" };
    }
  }
  const file = fileCredentialStore(env);
  const fromFile = await file.get(prefix).catch((err: unknown) => {
    log.warn("could not read the stored token file", { path: tokenFilePath(prefix, env), reason: (err as Error).message });
    return undefined;
  });
  if (fromFile) {
    log.info("using the API token stored in a file", { store: "file", path: tokenFilePath(prefix, env) });
    return { token: fromFile, source: "file" };
  }

  const registration = env.REGISTRATION_TOKEN?.trim();
  if (registration) {
    log.info("provisioning a permanent API key with REGISTRATION_TOKEN", { capabilities: options.capabilities.length });
    const token = await provisionToken(registration, { prefix, capabilities: options.capabilities }, log, options.fetchImpl);
    const savedInOs = os ? (await attempt("OS credential store", log, () => os.set(prefix, token))).ok : false;
    if (savedInOs) log.info("provisioned API key stored in the OS credential store; REGISTRATION_TOKEN is no longer needed", { store: "keyring" });
    else {
      try {
        await file.set(prefix, token);
        log.info("provisioned API key stored in a file (no OS credential store); REGISTRATION_TOKEN is no longer needed", {
          store: "file",
          path: tokenFilePath(prefix, env),
        });
      } catch (err) {
        log.warn("could not store the provisioned API key; the next run will need a token again", {
          path: tokenFilePath(prefix, env),
          reason: (err as Error).message,
        });
      }
    }
    return { token, source: "REGISTRATION_TOKEN" };
  }

  const message = missingTokenMessage(prefix, env);
  log.error(message);
  const error = new InvalidConfiguration(message);
  error.logged = true;
  throw error;
}

