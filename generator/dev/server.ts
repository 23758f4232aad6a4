/**
 * `symphony-codegen dev`: a local stand-in for the platform, made of real parts:
 * a nats-server (child process) or a given NATS URL, the platform services on
 * NATS, the REST gateway and the web page over HTTP on loopback.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { createLogger, type Logger } from "../../runtime/log.js";
import { TOKEN_EXCHANGE_PATH, type EnforcementStatus, type TokenExchangeReply } from "../../runtime/platform.js";
import { decodeToken, encodeToken } from "../../runtime/token.js";
import { Gateway, sendProblem } from "./gateway.js";
import { startNatsServer, type NatsServer } from "./nats-server.js";
import { docsHtml, INDEX_HTML } from "./page.js";
import { PlatformServices } from "./platform.js";

export interface DevOptions {
  /** HTTP port (0 = any free port). */
  port?: number;
  host?: string;
  /** Use this NATS server instead of starting one. */
  natsUrl?: string;
  /** JetStream store for the started nats-server. */
  storeDir?: string;
  discoverIntervalMs?: number;
  requestTimeoutMs?: number;
  replicas?: number;
  enforcement?: Record<string, EnforcementStatus>;
  log?: Logger;
}

export interface DevPlatform {
  httpUrl: string;
  natsUrl: string;
  /** A development token for this platform (its host is the HTTP address). */
  token: string;
  gateway: Gateway;
  platform: PlatformServices;
  nc: NatsConnection;
  stop(): Promise<void>;
}

const ASSETS = new Map([
  ["swagger-ui.css", "text/css"],
  ["swagger-ui-bundle.js", "text/javascript"],
]);

export async function startDev(options: DevOptions = {}): Promise<DevPlatform> {
  const log = options.log ?? createLogger({ component: "symphony-dev" });
  let natsServer: NatsServer | undefined;
  const natsUrl = options.natsUrl ?? (natsServer = await startNatsServer({ storeDir: options.storeDir })).url;
  const nc = await connect({ servers: natsUrl, name: "symphony-dev" });
  const platform = new PlatformServices(nc, { replicas: options.replicas, log, enforcement: options.enforcement });
  platform.start();
  const gateway = new Gateway(nc, { log, discoverIntervalMs: options.discoverIntervalMs, timeoutMs: options.requestTimeoutMs });
  gateway.start();

  const assetsDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const secrets = new Set<string>();
  let tokenHost = "";
  let instance = 0;

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    const p = url.pathname;
    if (p === "/api" || p.startsWith("/api/")) {
      if (p === TOKEN_EXCHANGE_PATH && req.method === "POST") return exchange(req, res);
      return gateway.handle(req, res, (req.url ?? "/").slice("/api".length));
    }
    if (req.method !== "GET") return sendProblem(res, 405, `${req.method} is not allowed on ${p}`);
    if (p === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return void res.end(INDEX_HTML);
    }
    if (p === "/_symphony/extensions") {
      await gateway.discover();
      return json(res, 200, {
        extensions: platform.extensions(),
        services: gateway.services().map(({ spec: _spec, specKey: _key, ...s }) => s),
      });
    }
    const docs = /^\/_symphony\/(docs|openapi)\/([^/]+)\/([^/]+?)(\.json)?$/.exec(p);
    if (docs) {
      const [, kind, prefix, name] = docs.map((s) => (s ? decodeURIComponent(s) : s)) as string[];
      const service = gateway.services().find((s) => s.prefix === prefix && s.name === name);
      if (!service?.spec) return sendProblem(res, 404, `No spec for service ${name} of extension ${prefix}`);
      if (kind === "docs") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return void res.end(docsHtml(`/_symphony/openapi/${encodeURIComponent(prefix!)}/${encodeURIComponent(name!)}.json`, name!));
      }
      // "Try it" calls go through the gateway.
      return json(res, 200, { ...service.spec, servers: [{ url: `/api/${prefix}` }] });
    }
    const asset = /^\/_symphony\/assets\/([\w.-]+)$/.exec(p)?.[1];
    if (asset && ASSETS.has(asset)) {
      res.writeHead(200, { "content-type": ASSETS.get(asset)!, "cache-control": "max-age=3600" });
      return void createReadStream(path.join(assetsDir, asset)).pipe(res);
    }
    return sendProblem(res, 404, `Nothing at ${p}`);
  }

  function exchange(req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    req.resume();
    try {
      const claims = bearer ? decodeToken(bearer) : undefined;
      if (!claims || !secrets.has(claims.secret)) return sendProblem(res, 401, "Unknown or revoked token");
      instance += 1;
      const reply: TokenExchangeReply = { servers: [natsUrl], identifier: `${claims.id}-${instance}` };
      return json(res, 200, reply);
    } catch {
      return sendProblem(res, 401, "Malformed token");
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error("request failed", { url: req.url, error: String(err) });
      if (!res.headersSent) sendProblem(res, 500, "The local platform failed to handle the request");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port ?? 8080;
  const host = options.host ?? "127.0.0.1";
  tokenHost = `${host}:${port}`;
  const secret = randomBytes(18).toString("base64url");
  secrets.add(secret);
  const token = encodeToken({ host: tokenHost, id: "dev", secret, scheme: "http" });

  return {
    httpUrl: `http://${tokenHost}`,
    natsUrl,
    token,
    gateway,
    platform,
    nc,
    async stop() {
      gateway.stop();
      platform.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await nc.drain().catch(() => nc.close());
      await natsServer?.stop();
    },
  };
}
