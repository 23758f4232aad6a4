/**
 * Structured logging: one JSON object per line on stdout with the field names
 * every Symphony SDK uses (timestamp, level, message). Fields whose names look
 * like credentials are redacted so a token never reaches a log.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /token|secret|password|passwd|seed|jwt|credential|authorization|cookie/i;

function threshold(): number {
  const wanted = (process.env.SYMPHONY_LOG_LEVEL ?? "info").toLowerCase() as LogLevel;
  return LEVELS[wanted] ?? LEVELS.info;
}

/** Copies a value with credential-named fields replaced by "[redacted]" (what every log record goes through). */
export function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD.test(k) ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(
  base: LogFields = {},
  write: (line: string) => void = (line) => process.stdout.write(line + "\n"),
): Logger {
  const min = threshold();
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const record = redact({ ...base, ...fields }) as LogFields;
    write(JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...record }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }, write),
  };
}

export const log: Logger = createLogger();
