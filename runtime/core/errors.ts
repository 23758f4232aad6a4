/**
 * One error hierarchy for the whole SDK, mirroring the reference SDK's `Error` variants.
 * Every error carries a stable `code` so callers can switch on it without `instanceof`.
 */
import { log, type Logger } from "./log.js";

export type SymphonyErrorCode =
  | "INVALID_TOKEN"
  | "AUTHENTICATION_FAILED"
  | "CONNECTION_FAILED"
  | "TIMEOUT"
  | "BUCKET_NOT_FOUND"
  | "KEY_NOT_FOUND"
  | "INVALID_CONFIGURATION"
  | "SPEC_TOO_LARGE"
  | "PAYLOAD_TOO_LARGE"
  | "PLATFORM_UNAVAILABLE"
  | "REGISTRATION_FAILED"
  | "OTHER";

export class SymphonyError extends Error {
  readonly code: SymphonyErrorCode;
  /** True once the SDK has written this error to the log, so {@link runMain} does not repeat it. */
  logged = false;
  constructor(code: SymphonyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Token is malformed or cannot be decoded. */
export class InvalidToken extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_TOKEN", message, options);
  }
}
/** API key exchange or NATS authentication failed. */
export class AuthenticationFailed extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("AUTHENTICATION_FAILED", message, options);
  }
}
/** NATS connection could not be established. */
export class ConnectionFailed extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTION_FAILED", message, options);
  }
}
/** A request timed out. */
export class Timeout extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TIMEOUT", message, options);
  }
}
/** JetStream bucket does not exist. */
export class BucketNotFound extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BUCKET_NOT_FOUND", message, options);
  }
}
/** Key not found in bucket. */
export class KeyNotFound extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("KEY_NOT_FOUND", message, options);
  }
}
/** Missing or contradictory configuration. */
export class InvalidConfiguration extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_CONFIGURATION", message, options);
  }
}
/** The service description (with its embedded spec) exceeds what the NATS server can carry. */
export class SpecTooLarge extends SymphonyError {
  constructor(
    message: string,
    readonly infoBytes: number,
    readonly maxPayload: number,
  ) {
    super("SPEC_TOO_LARGE", message);
  }
}
/** A request larger than the NATS server's max_payload: refused before sending (it would never arrive). */
export class PayloadTooLarge extends SymphonyError {
  constructor(
    message: string,
    readonly bytes: number,
    readonly maxPayload: number,
  ) {
    super("PAYLOAD_TOO_LARGE", message);
  }
}
/** No Symphony platform service answers the subject (NATS "no responders"): plain NATS, or the platform is down. */
export class PlatformUnavailable extends SymphonyError {
  constructor(
    message: string,
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super("PLATFORM_UNAVAILABLE", message, options);
  }
}
/** The platform answered a registration with `{"ok": false, "error"}` (e.g. a bucket it could not create). */
export class RegistrationFailed extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("REGISTRATION_FAILED", message, options);
  }
}
/** Anything else. */
export class Other extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("OTHER", message, options);
  }
}

/** nats.js error codes that mean the server refused the credentials (not that it was unreachable). */
const NATS_AUTH_CODES = new Set(["AUTHORIZATION_VIOLATION", "AUTHENTICATION_EXPIRED", "AUTHENTICATION_REVOKED", "ACCOUNT_EXPIRED"]);

/**
 * Maps a failed NATS connect to the SDK's error: refused credentials
 * ('Authorization Violation', expired or revoked user, a seed that cannot sign)
 * become {@link AuthenticationFailed}; anything else {@link ConnectionFailed}.
 */
export function natsConnectError(err: unknown, servers: unknown): SymphonyError {
  if (err instanceof SymphonyError) return err;
  const code = String((err as { code?: unknown })?.code ?? "");
  const message = err instanceof Error ? err.message : String(err);
  const where = Array.isArray(servers) ? servers.join(", ") : String(servers ?? "the default NATS server");
  if (
    NATS_AUTH_CODES.has(code) ||
    /authorization violation|authentication (expired|revoked)|user authentication|invalid (seed|nkey|signature)|bad seed/i.test(message)
  ) {
    return new AuthenticationFailed(
      `NATS at ${where} refused the credentials (${message.replace(/^'|'$/g, "")}): the API key may be revoked or not valid for this platform`,
      { cause: err },
    );
  }
  return new ConnectionFailed(`Could not connect to NATS at ${where}: ${message}`, { cause: err });
}

/**
 * Runs an extension's main function the way a command-line program should end:
 * on failure the error is logged once as one JSON line (unless the SDK already
 * logged it, e.g. the missing-token instructions) and `process.exitCode` is set
 * to 1, so the process exits non-zero once its handles close. Never prompts and
 * never calls `process.exit()` itself.
 *
 *     await runMain(() => new Extension("My Extension", "my_ext").run());
 */
export async function runMain(main: () => unknown, logger: Logger = log): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof SymphonyError && err.logged)) {
      const code = err instanceof SymphonyError ? err.code : undefined;
      logger.error(err instanceof Error ? err.message : String(err), {
        error: err instanceof Error ? err.name : "Error",
        ...(code ? { code } : {}),
      });
    }
    process.exitCode = 1;
  }
}
