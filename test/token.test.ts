/**
 * Tokens and where they come from: SYMPHONY_ADDRESS (three forms, plain-HTTP
 * warning, validation, HTTPS leg only) and the token resolution order with the
 * file fallback (docs/sdk-auth.md). HTTP goes to a real loopback server.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionFailed, createLogger, encodeToken, exchangeToken, platformBaseUrl, PROVISION_PATH, TOKEN_EXCHANGE_PATH, type TokenClaims } from "@symphony-codegen/runtime";
import { credentialDirectory, fileCredentialStore, resolveToken, tokenFilePath } from "../runtime/sdk/credentials.js";

const claims: TokenClaims = { host: "token-host.example:7443", id: "k", secret: "s" };

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({}, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { lines, log };
}

function invalidConfiguration(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    expect((err as { code?: string }).code).toBe("INVALID_CONFIGURATION");
    return err as Error;
  }
  throw new Error("expected InvalidConfiguration");
}

describe("platformBaseUrl (SYMPHONY_ADDRESS)", () => {
  it("uses the token's host when SYMPHONY_ADDRESS is unset or blank", () => {
    expect(platformBaseUrl(claims, undefined).href).toBe("https://token-host.example:7443/");
    expect(platformBaseUrl(claims, "   ").href).toBe("https://token-host.example:7443/");
    expect(platformBaseUrl({ ...claims, scheme: "http" }, "").href).toBe("http://token-host.example:7443/");
  });

  it("form 1: a bare hostname means https on the default port, nothing kept from the token", () => {
    const url = platformBaseUrl(claims, "symphony.internal");
    expect(url.href).toBe("https://symphony.internal/");
    expect(url.port).toBe("");
    expect(platformBaseUrl(claims, " localhost ").href).toBe("https://localhost/");
    expect(platformBaseUrl(claims, "[::1]").href).toBe("https://[::1]/");
    // A dev token asking for http does not leak its scheme into the override either.
    expect(platformBaseUrl({ ...claims, scheme: "http" }, "symphony.internal").protocol).toBe("https:");
  });

  it("form 2: host:port means https on that port", () => {
    expect(platformBaseUrl(claims, "symphony.internal:8443").href).toBe("https://symphony.internal:8443/");
    expect(platformBaseUrl(claims, "10.0.0.5:9000").href).toBe("https://10.0.0.5:9000/");
    expect(platformBaseUrl(claims, "[::1]:8443").href).toBe("https://[::1]:8443/");
  });

  it("form 3: a URL with an explicit http or https scheme", () => {
    expect(platformBaseUrl(claims, "https://symphony.internal").href).toBe("https://symphony.internal/");
    expect(platformBaseUrl(claims, "https://symphony.internal:9443/").href).toBe("https://symphony.internal:9443/");
    expect(platformBaseUrl(claims, "HTTPS://Symphony.Internal:9443").href).toBe("https://symphony.internal:9443/");
    expect(platformBaseUrl(claims, "http://127.0.0.1:8080").href).toBe("http://127.0.0.1:8080/");
  });

  it("warns once about plain HTTP, and only for http", () => {
    const { lines, log } = capture();
    platformBaseUrl(claims, "http://symphony.internal:8080", log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", address: "symphony.internal:8080" });
    expect(String(lines[0]!.message)).toMatch(/plain HTTP/);
    platformBaseUrl(claims, "https://symphony.internal", log);
    platformBaseUrl(claims, "symphony.internal:8080", log);
    platformBaseUrl(claims, "symphony.internal", log);
    expect(lines).toHaveLength(1);
  });

  it("rejects other schemes, paths, queries, credentials, bad ports and bad hostnames", () => {
    const cases: [string, RegExp][] = [
      ["ftp://symphony.internal", /only http and https/],
      ["nats://symphony.internal:4222", /only http and https/],
      ["https://symphony.internal/api", /path, query or fragment/],
      ["https://symphony.internal/?x=1", /path, query or fragment/],
      ["https://symphony.internal#top", /path, query or fragment/],
      ["https://user:pw@symphony.internal", /credentials/],
      ["symphony.internal:0", /outside 1-65535/],
      ["symphony.internal:70000", /outside 1-65535/],
      ["https://symphony.internal:99999", /outside 1-65535/],
      ["symphony.internal/api", /neither a host|not a valid hostname/],
      ["sym phony", /whitespace/],
      ["-bad-.example", /not a valid hostname/],
      ["under_score.example", /not a valid hostname/],
      ["::1", /not a valid hostname/],
      ["https://", /not a valid URL|has no host/],
    ];
    for (const [value, why] of cases) {
      const err = invalidConfiguration(() => platformBaseUrl(claims, value));
      expect(err.message, value).toMatch(why);
      expect(err.message).toContain(JSON.stringify(value.trim()));
    }
  });
});

describe("SYMPHONY_ADDRESS routes only the HTTPS leg", () => {
  let server: Server;
  let port: number;
  const seen: { path: string; authorization?: string }[] = [];
  const saved = process.env.SYMPHONY_ADDRESS;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      // The NATS servers the platform announces: nothing to do with SYMPHONY_ADDRESS.
      res.end(JSON.stringify({ servers: ["nats://nats.cluster.internal:4222"], identifier: "k-1" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.SYMPHONY_ADDRESS;
    else process.env.SYMPHONY_ADDRESS = saved;
    await new Promise((r) => server.close(r));
  });

  it("sends the exchange to SYMPHONY_ADDRESS's scheme, host and port, and keeps the reply's NATS servers", async () => {
    const token = encodeToken({ host: "unreachable.invalid:1", id: "k", secret: "s" });
    process.env.SYMPHONY_ADDRESS = `http://127.0.0.1:${port}`;
    const { lines, log } = capture();
    const reply = await exchangeToken(token, log);
    expect(seen.at(-1)).toEqual({ path: TOKEN_EXCHANGE_PATH, authorization: `Bearer ${token}` });
    expect(reply.servers).toEqual(["nats://nats.cluster.internal:4222"]);
    expect(lines.map((l) => l.level)).toEqual(["warn"]);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it("without SYMPHONY_ADDRESS the token's host is used (and fails here, as a ConnectionFailed)", async () => {
    delete process.env.SYMPHONY_ADDRESS;
    const token = encodeToken({ host: `127.0.0.1:${port}`, id: "k", secret: "s", scheme: "http" });
    const before = seen.length;
    await exchangeToken(token);
    expect(seen.length).toBe(before + 1);
    const unreachable = encodeToken({ host: "127.0.0.1:1", id: "k", secret: "s", scheme: "http" });
    await expect(exchangeToken(unreachable)).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
  });

  it("the provisioning path is documented and distinct from the exchange", () => {
    expect(PROVISION_PATH).toBe("/api/v1/extensions/provision");
    expect(PROVISION_PATH).not.toBe(TOKEN_EXCHANGE_PATH);
  });
});

describe("a platform that is not running", () => {
  const saved = process.env.SYMPHONY_ADDRESS;
  beforeAll(() => delete process.env.SYMPHONY_ADDRESS);
  afterAll(() => {
    if (saved !== undefined) process.env.SYMPHONY_ADDRESS = saved;
  });

  /** A loopback port nothing listens on: bound by a real server, then closed. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    return port;
  }

  const SECRET = "s3cr3t-not-for-logs";
  const advice = (port: number) =>
    `Token exchange with http://127.0.0.1:${port} failed: connection refused. Is the platform running? For local development start it with \`npx symphony-codegen dev\``;

  it("the exchange fails with ConnectionFailed naming the address, the reason and what to do", async () => {
    const port = await closedPort();
    const token = encodeToken({ host: `127.0.0.1:${port}`, id: "k", secret: SECRET, scheme: "http" });
    const err = (await exchangeToken(token).catch((e: unknown) => e)) as ConnectionFailed;
    expect(err).toBeInstanceOf(ConnectionFailed);
    expect(err.code).toBe("CONNECTION_FAILED");
    expect(err.message).toBe(advice(port));
  });

  it("an extension started with SYMPHONY_TOKEN logs that one line and exits 1, the token nowhere in its output", async () => {
    const port = await closedPort();
    const token = encodeToken({ host: `127.0.0.1:${port}`, id: "k", secret: SECRET, scheme: "http" });
    const home = mkdtempSync(path.join(tmpdir(), "symphony-offline-"));
    const program = `import { Extension, runMain } from "@symphony-codegen/runtime";\nawait runMain(() => new Extension("Offline", "offline").run());`;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, SYMPHONY_TOKEN: token, SYMPHONY_CREDENTIAL_STORE: "file", SYMPHONY_LOG_LEVEL: "info" };
    const child = spawn(process.execPath, ["--input-type=module", "-e", program], { cwd: path.join(import.meta.dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    rmSync(home, { recursive: true, force: true });
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: "error", message: advice(port), code: "CONNECTION_FAILED", error: "ConnectionFailed" })]);
    expect(stdout).not.toContain(token);
    expect(stdout).not.toContain(SECRET);
  }, 30_000);
});

describe("token resolution order and the file fallback", () => {
  const dirs: string[] = [];
  const home = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "symphony-home-"));
    dirs.push(dir);
    return dir;
  };
  // Never touch the real OS credential store from unit tests.
  const envFor = (extra: Record<string, string | undefined>): NodeJS.ProcessEnv => ({ SYMPHONY_CREDENTIAL_STORE: "file", ...extra });
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("puts the token file under $HOME/.config/cirata, or $XDG_CONFIG_HOME/cirata", () => {
    expect(credentialDirectory({ HOME: "/h" })).toBe("/h/.config/cirata");
    expect(credentialDirectory({ HOME: "/h", XDG_CONFIG_HOME: "/x" })).toBe("/x/cirata");
    expect(credentialDirectory({ HOME: "/h", XDG_CONFIG_HOME: "relative" })).toBe("/h/.config/cirata");
    expect(tokenFilePath("my_ext", { HOME: "/h" })).toBe("/h/.config/cirata/my_ext.token");
    expect(() => tokenFilePath("../etc/passwd", { HOME: "/h" })).toThrow(/cannot name a token file/);
  });

  it("writes the file 0600 in a 0700 directory and reads it back", async () => {
    const env = envFor({ HOME: home() });
    const store = fileCredentialStore(env);
    expect(await store.get("ext")).toBeUndefined();
    await store.set("ext", "sym_stored");
    const file = tokenFilePath("ext", env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, "utf8").trim()).toBe("sym_stored");
    expect(await store.get("ext")).toBe("sym_stored");
    expect(await store.delete("ext")).toBe(true);
    expect(await store.get("ext")).toBeUndefined();
  });

  it("withToken beats SYMPHONY_TOKEN, which beats the stored token; an empty withToken means not given", async () => {
    const env = envFor({ HOME: home(), SYMPHONY_TOKEN: "sym_env" });
    await fileCredentialStore(env).set("ext", "sym_file");
    const { log } = capture();
    const base = { prefix: "ext", capabilities: [], log, env };
    expect(await resolveToken({ ...base, explicit: "sym_explicit" })).toEqual({ token: "sym_explicit", source: "withToken" });
    expect(await resolveToken({ ...base, explicit: "" })).toEqual({ token: "sym_env", source: "SYMPHONY_TOKEN" });
    delete env.SYMPHONY_TOKEN;
    expect(await resolveToken({ ...base, explicit: "  " })).toEqual({ token: "sym_file", source: "file" });
  });

  it("the stored token wins over REGISTRATION_TOKEN (no second provisioning)", async () => {
    const dir = home();
    const env = envFor({ XDG_CONFIG_HOME: dir, HOME: "/nonexistent", REGISTRATION_TOKEN: "sym_notused" });
    mkdirSync(path.join(dir, "cirata"), { recursive: true });
    writeFileSync(path.join(dir, "cirata", "ext.token"), "sym_from_xdg\n", { mode: 0o600 });
    const { lines, log } = capture();
    expect(await resolveToken({ prefix: "ext", capabilities: [], log, env })).toEqual({ token: "sym_from_xdg", source: "file" });
    expect(JSON.stringify(lines)).not.toContain("sym_");
  });

  it("with no token anywhere: exactly one error line with instructions, then InvalidConfiguration", async () => {
    const env = envFor({ HOME: home() });
    const { lines, log } = capture();
    const err = await resolveToken({ prefix: "lonely", capabilities: [], log, env }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; logged: boolean },
    );
    expect(err?.code).toBe("INVALID_CONFIGURATION");
    expect(err?.logged).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("error");
    expect(String(lines[0]!.message)).toMatch(/SYMPHONY_TOKEN.*REGISTRATION_TOKEN.*NATS_URL/);
    expect(String(lines[0]!.message)).toContain(tokenFilePath("lonely", env));
  });

  it("rejects an unknown SYMPHONY_CREDENTIAL_STORE", async () => {
    const { log } = capture();
    await expect(resolveToken({ prefix: "ext", capabilities: [], log, env: { HOME: home(), SYMPHONY_CREDENTIAL_STORE: "vault" } })).rejects.toMatchObject({
      code: "INVALID_CONFIGURATION",
    });
  });
});
