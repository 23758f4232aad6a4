/**
 * What every request to the local platform's HTTP server passes before it is routed
 * (docs/protocol.md, "The REST gateway"): a request target that is a path, a `Host` that names
 * this server (against DNS rebinding), and no request from another site's page (against CSRF:
 * the gateway is unauthenticated and sends no CORS headers, so no other origin has a use for it).
 */
import type { IncomingMessage } from "node:http";
import { hostname } from "node:os";
import { isIP } from "node:net";

export interface Refusal {
  status: 400 | 403 | 421;
  detail: string;
  /** For the log: which check refused, and the Host or Origin it refused (never the target: its query may carry credentials). */
  reason: "target" | "host" | "origin";
  value?: string;
}

export type Checked = { url: URL; refusal?: undefined } | { url?: undefined; refusal: Refusal };

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);

/** Host names (no port, lower case; IPv6 in brackets) a request's `Host` may give besides loopback. */
export function allowedHosts(bindHost: string): Set<string> {
  const host = bindHost.toLowerCase();
  const names = new Set([isIP(host) === 6 ? `[${host}]` : host]);
  // Bound to every interface: the machine is also reached by its name.
  if (WILDCARD.has(host)) names.add(hostname().toLowerCase());
  return names;
}

/** `name[:port]` or `[v6]:port`. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/i;

/**
 * Loopback names, `*.localhost` (RFC 6761: always loopback), IP literals (a rebinding attack
 * needs a DNS name: its `Host` is the attacker's), and the host dev was bound to.
 */
function hostAllowed(name: string, allowed: ReadonlySet<string>): boolean {
  return LOOPBACK_NAMES.has(name) || name.endsWith(".localhost") || isIP(name.replace(/^\[|\]$/g, "")) !== 0 || allowed.has(name);
}

/** The request's own origin: `http://` + its `Host`, as a browser writes it in `Origin`. */
function ownOrigin(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).origin;
  } catch {
    return undefined;
  }
}

const refuse = (status: Refusal["status"], detail: string, reason: Refusal["reason"], value?: string): Checked => ({
  refusal: { status, detail, reason, ...(value === undefined ? {} : { value: value.slice(0, 100) }) },
});
const quoted = (text: string) => JSON.stringify(text.slice(0, 100));

/** Checks one request; the URL to route it by, or why it is refused. */
export function checkRequest(req: IncomingMessage, allowed: ReadonlySet<string>): Checked {
  const target = req.url ?? "/";
  // Origin-form only: an absolute-form target (a proxy request) names another server, and `//x`
  // would parse as a URL with host `x`.
  if (!target.startsWith("/") || target.startsWith("//"))
    return refuse(400, `Request target ${quoted(target)} is not a path: expected /<path>[?query]`, "target");
  let url: URL;
  try {
    url = new URL(`http://local${target}`);
    decodeURIComponent(url.pathname);
  } catch {
    return refuse(400, `Request target ${quoted(target)} is malformed (bad percent-encoding?)`, "target");
  }

  // HTTP/1.1 requires Host (Node answers 400 itself); an HTTP/1.0 request without one is no browser's.
  const host = req.headers.host;
  const name = host === undefined ? undefined : HOST_HEADER.exec(host)?.[1]?.toLowerCase();
  if (host !== undefined && (name === undefined || !hostAllowed(name, allowed))) {
    return refuse(421, `Host ${quoted(host)} is not this server: use localhost, 127.0.0.1, [::1] or the --host given to dev`, "host", host);
  }

  const origin = req.headers.origin;
  if (origin !== undefined && (host === undefined || origin !== ownOrigin(host))) {
    return refuse(403, `Cross-origin request from ${quoted(origin)} refused: the local platform serves its own pages only`, "origin", origin);
  }
  // Loads without Origin (an <img>, a link, a GET form) from another site still say where they come from.
  if (req.headers["sec-fetch-site"] === "cross-site" && (url.pathname === "/api" || url.pathname.startsWith("/api/"))) {
    return refuse(403, "Cross-site request to the REST gateway refused (Sec-Fetch-Site: cross-site)", "origin", "Sec-Fetch-Site: cross-site");
  }
  return { url };
}
