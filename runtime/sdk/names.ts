/** Naming rules shared by the generator (at build time) and the runtime (as a guard). */

/** NATS micro service names: letters, digits, `_` and `-`. */
export function serviceName(title: string): string {
  const cleaned = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return cleaned || "service";
}

/** Endpoint names are one subject token: letters, digits, `_` and `-`. */
export function endpointName(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "endpoint";
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** NATS micro requires semver: `1.0` → `1.0.0`, `v2` → `2.0.0`, `2023-01-01` → `2023.1.1`; anything else keeps its digits. */
export function semverVersion(raw: string): string {
  const text = String(raw ?? "").trim().replace(/^v(?=\d)/i, "");
  if (SEMVER.test(text)) return text;
  const match = /^(\d+)(?:[.-](\d+))?(?:[.-](\d+))?(.*)$/.exec(text);
  if (!match) return "0.0.0";
  const [, major, minor = "0", patch = "0", rest = ""] = match;
  const core = [major, minor, patch].map((n) => String(Number(n))).join(".");
  const pre = rest.replace(/^[-.+]/, "").replace(/[^0-9A-Za-z.-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "").replace(/\.{2,}/g, ".");
  const candidate = pre ? `${core}-${pre.split(".").map((p) => (/^0\d+$/.test(p) ? String(Number(p)) : p)).join(".")}` : core;
  return SEMVER.test(candidate) ? candidate : core;
}

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** Extension prefixes become subject tokens (`cirata.extensions.<prefix>`). */
export function isValidPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(prefix);
}
