/**
 * API tokens: decoding the platform host from a token, SYMPHONY_ADDRESS overrides,
 * and the HTTP(S) exchange of a token for NATS credentials.
 *
 * Token format: `sym_<base64url(JSON)>` where the JSON carries `host` (the platform's
 * HTTPS host, optionally with port), `id` (key identifier) and `secret`.
 */
import { AuthenticationFailed, InvalidConfiguration, InvalidToken } from "./errors.js";
import type { Logger } from "./log.js";
import { TOKEN_EXCHANGE_PATH, type TokenExchangeReply } from "./platform.js";

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

/** Where the HTTPS leg goes: the token's host unless SYMPHONY_ADDRESS overrides it. */
export function platformBaseUrl(claims: TokenClaims, address = process.env.SYMPHONY_ADDRESS, log?: Logger): URL {
  if (address === undefined || address.trim() === "") return new URL(`${claims.scheme ?? "https"}://${claims.host}`);
  const value = address.trim();
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      url = new URL(value);
    } catch {
      throw new InvalidConfiguration(`SYMPHONY_ADDRESS ${JSON.stringify(value)} is not a valid URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidConfiguration(`SYMPHONY_ADDRESS scheme must be http or https, got ${url.protocol.replace(":", "")}`);
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username) {
      throw new InvalidConfiguration("SYMPHONY_ADDRESS must be a host, host:port or scheme://host[:port] without path, query or credentials");
    }
  } else {
    if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/.test(value)) {
      throw new InvalidConfiguration(`SYMPHONY_ADDRESS ${JSON.stringify(value)} must be a hostname, host:port or an http(s) URL`);
    }
    url = new URL(`https://${value}`);
  }
  if (url.protocol === "http:") log?.warn("SYMPHONY_ADDRESS uses plain HTTP: the token travels unencrypted", { address: url.host });
  return url;
}

/** Exchanges the token for NATS credentials over HTTP(S). */
export async function exchangeToken(token: string, log?: Logger, fetchImpl: typeof fetch = fetch): Promise<TokenExchangeReply> {
  const claims = decodeToken(token);
  const base = platformBaseUrl(claims, process.env.SYMPHONY_ADDRESS, log);
  let response: Response;
  try {
    response = await fetchImpl(new URL(TOKEN_EXCHANGE_PATH, base), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new AuthenticationFailed(`Token exchange with ${base.host} failed: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) throw new AuthenticationFailed(`Token exchange with ${base.host} was refused (HTTP ${response.status})`);
  const reply = (await response.json()) as TokenExchangeReply;
  if (!Array.isArray(reply.servers) || reply.servers.length === 0) throw new AuthenticationFailed("Token exchange returned no NATS servers");
  return reply;
}
