/**
 * One error hierarchy for the whole SDK, mirroring the reference SDK's `Error` variants.
 * Every error carries a stable `code` so callers can switch on it without `instanceof`.
 */
export type SymphonyErrorCode =
  | "INVALID_TOKEN"
  | "AUTHENTICATION_FAILED"
  | "CONNECTION_FAILED"
  | "TIMEOUT"
  | "BUCKET_NOT_FOUND"
  | "KEY_NOT_FOUND"
  | "INVALID_CONFIGURATION"
  | "SPEC_TOO_LARGE"
  | "OTHER";

export class SymphonyError extends Error {
  readonly code: SymphonyErrorCode;
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
/** Anything else. */
export class Other extends SymphonyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("OTHER", message, options);
  }
}
