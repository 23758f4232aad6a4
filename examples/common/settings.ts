/**
 * Reading an example's settings from the environment: a malformed value is an
 * InvalidConfiguration naming the variable and the value, before anything starts.
 */
import { InvalidConfiguration } from "@symphony-codegen/runtime";

/** An http(s) URL from `env[name]` (unset or empty: `fallback`). */
export function httpUrlSetting(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new InvalidConfiguration(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value;
}

/** Whole milliseconds from `min` to `max` from `env[name]` (unset or empty: `fallback`). */
export function msSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidConfiguration(`${name} must be a whole number of milliseconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}
