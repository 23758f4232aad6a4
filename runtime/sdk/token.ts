/**
 * API tokens: decoding the platform host from a token, SYMPHONY_ADDRESS overrides,
 * and the HTTP(S) exchange of a token for NATS credentials.
 *
 * Token format: `sym_<base64url(JSON)>` where the JSON carries `host` (the platform's
 * HTTPS host, optionally with port), `id` (key identifier) and `secret`.
 */
import { AuthenticationFailed, ConnectionFailed, InvalidConfiguration, InvalidToken } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { PROVISION_PATH, TOKEN_EXCHANGE_PATH, type ProvisionReply, type ProvisionRequest, type TokenExchangeReply, type TokenExchangeRequest } from "./platform.js";

export interface TokenClaims {
  host: string;
  id: string;
  secret: string;
  /** Development tokens may ask for plain HTTP. */
  scheme?: "http" | "https";
}

export function encodeToken(claims: TokenClaims): string {
  return "sym_" + Buffer.from(JSON.stringify(claims)).toString("base64url");
}

export function decodeToken(token: string): TokenClaims {
  const trimmed = token.trim();
  if (!trimmed.startsWith("sym_")) throw new InvalidToken("Token does not start with sym_; copy the whole token from the API Keys page");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(trimmed.slice(4), "base64url").toString("utf8"));
  } catch {
    throw new InvalidToken("Token cannot be decoded");
  }
  const c = claims as Partial<TokenClaims>;
  if (typeof c?.host !== "string" || !c.host || typeof c.id !== "string" || typeof c.secret !== "string") {
    throw new InvalidToken("Token is missing its host, id or secret");
  }
  return { host: c.host, id: c.id, secret: c.secret, ...(c.scheme ? { scheme: c.scheme } : {}) };
}

/**
 * Where the HTTPS leg (token exchange, provisioning) goes: the token's host, unless
 * SYMPHONY_ADDRESS overrides it. SYMPHONY_ADDRESS accepts three forms
 * (docs/sdk-auth.md):
 *
 * - a bare hostname (`symphony.internal`, `[::1]`) → `https://<host>` on port 443;
 * - `host:port` (`symphony.internal:8443`) → `https://<host>:<port>`;
 * - a URL with an explicit `http` or `https` scheme and optional port, nothing else.
 *
 * When SYMPHONY_ADDRESS is set it alone decides scheme, host and port of the HTTPS
 * leg (nothing is inherited from the token); it never changes where NATS connects:
 * the NATS servers always come from the exchange reply. Plain `http` works but logs
 * a warning, because the token then travels unencrypted.
 */
export function platformBaseUrl(claims: TokenClaims, address = process.env.SYMPHONY_ADDRESS, log?: Logger): URL {
  if (address === undefined || address.trim() === "") return new URL(`${claims.scheme ?? "https"}://${claims.host}`);
  const value = address.trim();
  const invalid = (why: string) =>
    new InvalidConfiguration(`SYMPHONY_ADDRESS ${JSON.stringify(value)} ${why}; use a hostname, host:port, or http(s)://host[:port]`);
  if (/\s/.test(value)) throw invalid("contains whitespace");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  const rawPort = (scheme === undefined ? /:(\d+)$/ : /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:?#@]*):(\d+)/i).exec(value)?.[1];
  if (rawPort !== undefined && !(Number(rawPort) >= 1 && Number(rawPort) <= 65535)) throw invalid(`has port ${rawPort}, outside 1-65535`);
  let url: URL;
  if (scheme !== undefined) {
    if (!/^https?$/i.test(scheme)) throw invalid(`has scheme ${scheme}, but only http and https are accepted`);
    try {
      url = new URL(value);
    } catch {
      throw invalid("is not a valid URL");
    }
    if (url.username || url.password) throw invalid("must not carry credentials");
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || value.endsWith("?") || value.endsWith("#")) {
      throw invalid("must not have a path, query or fragment");
    }
    if (url.hostname === "") throw invalid("has no host");
  } else {
    if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/.test(value)) {
      throw invalid("is not a valid hostname or host:port");
    }
    try {
      url = new URL(`https://${value}`);
    } catch {
      throw invalid("is not a valid hostname or host:port");
    }
  }
  if (url.protocol === "http:") {
    log?.warn("SYMPHONY_ADDRESS uses plain HTTP: the API token travels unencrypted to the platform; use https outside local development", {
      address: url.host,
    });
  }
  return url;
}

/** How long the exchange and provisioning wait for the platform's answer. */
const PLATFORM_TIMEOUT_MS = 10_000;

/** Network error codes (on fetch's `cause`) that mean nothing answers at that address. */
const NOT_LISTENING: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
};

/**
 * The platform could not be reached (fetch threw): a {@link ConnectionFailed} naming the address
 * and the reason, and, when nothing answers there, what to do. Never carries the token.
 */
function unreachable(what: string, base: URL, err: unknown): ConnectionFailed {
  const cause = (err as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  // A host with several addresses reports an AggregateError whose parts carry the codes.
  const code = String(cause?.code ?? cause?.errors?.[0]?.code ?? "");
  const timedOut = (err as Error | undefined)?.name === "TimeoutError";
  const reason = timedOut ? `no answer within ${PLATFORM_TIMEOUT_MS / 1000} s` : (NOT_LISTENING[code] ?? String(cause?.message ?? (err as Error)?.message ?? err));
  const hint = timedOut || code in NOT_LISTENING ? ". Is the platform running? For local development start it with `npx symphony-codegen dev`" : "";
  return new ConnectionFailed(`${what} with ${base.origin} failed: ${reason}${hint}`, { cause: err });
}

/** Exchanges the token for NATS credentials over HTTP(S); `request` says which extension asks (empty for a Client). */
export async function exchangeToken(token: string, log?: Logger, fetchImpl: typeof fetch = fetch, request: TokenExchangeRequest = {}): Promise<TokenExchangeReply> {
  const claims = decodeToken(token);
  const base = platformBaseUrl(claims, process.env.SYMPHONY_ADDRESS, log);
  let response: Response;
  try {
    response = await fetchImpl(new URL(TOKEN_EXCHANGE_PATH, base), {
      method: "POST",
      headers: { authorization: `Bearer ${token.trim()}`, "content-type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(PLATFORM_TIMEOUT_MS),
    });
  } catch (err) {
    throw unreachable("Token exchange", base, err);
  }
  if (!response.ok) {
    // A refusal's problem+json detail says why (e.g. a key issued for another prefix); it never holds the token.
    const detail = ((await response.json().catch(() => ({}))) as { detail?: unknown }).detail;
    throw new AuthenticationFailed(`Token exchange with ${base.host} was refused (HTTP ${response.status})${typeof detail === "string" ? `: ${detail}` : ""}`);
  }
  const reply = (await response.json().catch(() => ({}))) as TokenExchangeReply;
  if (!Array.isArray(reply.servers) || reply.servers.length === 0) throw new AuthenticationFailed("Token exchange returned no NATS servers");
  return reply;
}

/**
 * One-time provisioning: exchanges a registration token for a permanent API key
 * token carrying the declared capabilities (POST {@link PROVISION_PATH}). The
 * platform is found like the exchange's: the registration token's host unless
 * SYMPHONY_ADDRESS overrides it.
 */
export async function provisionToken(registrationToken: string, request: ProvisionRequest, log?: Logger, fetchImpl: typeof fetch = fetch): Promise<string> {
  let claims: TokenClaims;
  try {
    claims = decodeToken(registrationToken);
  } catch (err) {
    throw new InvalidToken(`REGISTRATION_TOKEN: ${(err as Error).message}`, { cause: err });
  }
  const base = platformBaseUrl(claims, process.env.SYMPHONY_ADDRESS, log);
  let response: Response;
  try {
    response = await fetchImpl(new URL(PROVISION_PATH, base), {
      method: "POST",
      headers: { authorization: `Bearer ${registrationToken.trim()}`, "content-type": "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(PLATFORM_TIMEOUT_MS),
    });
  } catch (err) {
    throw unreachable("Provisioning", base, err);
  }
  if (!response.ok) {
    throw new AuthenticationFailed(
      `Provisioning with ${base.host} was refused (HTTP ${response.status}): the registration token is unknown, expired or already used; create a new one on the API Keys page`,
    );
  }
  const reply = (await response.json().catch(() => ({}))) as Partial<ProvisionReply>;
  if (typeof reply.token !== "string") throw new AuthenticationFailed("Provisioning returned no API key token");
  try {
    decodeToken(reply.token);
  } catch (err) {
    throw new AuthenticationFailed(`Provisioning returned an unusable API key token: ${(err as Error).message}`, { cause: err });
  }
  return reply.token;
}
