/**
 * Connection and identity against the local platform and a real nats-server:
 * REGISTRATION_TOKEN provisioning with the file fallback (in child processes, as
 * an extension really runs), operator-mode JWT + NKey authentication through the
 * token exchange, refused and revoked credentials, and re-registration after a
 * NATS outage.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeAccount, encodeUser } from "@nats-io/jwt";
import { createAccount, createOperator, createUser } from "@nats-io/nkeys";
import { connect, jwtAuthenticator } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, Extension, encodeToken, exchangeToken, PROVISION_PATH, type TokenExchangeReply } from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { startNatsServer, freePort } from "./helpers/nats-server.js";
import { register } from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const temps: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), `symphony-${name}-`));
  temps.push(dir);
  return dir;
};

beforeAll(() => {
  delete process.env.NATS_URL;
  delete process.env.SYMPHONY_ADDRESS;
  delete process.env.SYMPHONY_TOKEN;
  delete process.env.REGISTRATION_TOKEN;
});
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** Starts an extension; resolves once it is ready, with the promise of its whole run. */
async function serveOnce(ext: Extension, setup: (e: Extension) => unknown = () => {}): Promise<{ done: Promise<void> }> {
  const done = ext.runWithSetup(setup);
  await ext.ready();
  return { done };
}

/** An extension program run as its own process, as `node main.js` would: stdout captured, stdin closed. */
const CHILD = `
import { Extension, runMain } from "@symphony-codegen/runtime";
await runMain(async () => {
  const ext = new Extension("Provisioned", "prov")
    .addCapability("sub", "extensions.prov", "Requests to the extension")
    .addCapability("pub", "events.prov", "Events it emits")
    .withStatusInterval(200);
  await ext.runWithSetup(async (e) => {
    const svc = await e.addEndpoints("Prov", "1.0.0", "Provisioned service");
    svc.addEndpoint("ping", { subject: "prov.ping", handler: (_err, msg) => msg.respond("pong") });
    setTimeout(() => e.stop(), 400);
  });
});
`;

function runChild(env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string; lines: Record<string, unknown>[] }> {
  const base = { ...process.env };
  for (const k of ["NATS_URL", "SYMPHONY_TOKEN", "REGISTRATION_TOKEN", "SYMPHONY_ADDRESS", "XDG_CONFIG_HOME", "DBUS_SESSION_BUS_ADDRESS", "SYMPHONY_CREDENTIAL_STORE", "NODE_OPTIONS", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) delete base[k];
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
    cwd: ROOT,
    env: { ...base, SYMPHONY_LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      const lines = stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    }),
  );
}

/** Nothing that looks like a credential: API/registration tokens, user JWTs, NKey seeds. */
function expectNoSecrets(output: string, secrets: string[]) {
  for (const s of secrets) expect(output).not.toContain(s);
  expect(output).not.toMatch(/sym_[A-Za-z0-9_-]{8,}/);
  expect(output).not.toMatch(/eyJ0eXAiOiJKV1Qi/);
  expect(output).not.toMatch(/\bS[UAO][A-Z2-7]{50,}/);
}

describe("operator-mode authentication through the token exchange", () => {
  let dev: DevPlatform;
  beforeAll(async () => {
    dev = await startDev({ port: 0, discoverIntervalMs: 200, auth: "operator" });
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it("refuses a connection without credentials: the server really is in operator mode", async () => {
    await expect(connect({ servers: dev.natsUrl, reconnect: false })).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    const ext = new Extension("Anon", "anon").withNatsUrl(dev.natsUrl);
    await expect(ext.connect()).rejects.toMatchObject({ code: "AUTHENTICATION_FAILED", name: "AuthenticationFailed" });
  });

  it("issues a per-instance user JWT + seed at the exchange, and the extension serves with it", async () => {
    const a = await exchangeToken(dev.token);
    const b = await exchangeToken(dev.token);
    expect(a.jwt).toMatch(/^eyJ/);
    expect(a.seed).toMatch(/^SU[A-Z2-7]+$/);
    expect(a.jwt).not.toBe(b.jwt);
    expect(a.identifier).not.toBe(b.identifier);
    const key = dev.apiKeys().find((k) => k.id === "dev")!;
    expect(key.users.length).toBeGreaterThanOrEqual(2);

    const ext = new Extension("Petstore", "petstore").withToken(dev.token).withStatusInterval(200);
    const { done } = await serveOnce(ext, (e) => register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }])));
    try {
      expect(ext.identifier()).toMatch(/^dev-\d+$/);
      await until("gateway discovery", () => dev.gateway.services().some((s) => s.prefix === "petstore"));
      const res = await fetch(`${dev.httpUrl}/api/petstore/pets/1`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 1, name: "Rex" });
      expect(dev.platform.extensions().map((r) => r.entry.id)).toContain(ext.identifier());
    } finally {
      ext.stop();
      await done;
    }
  });

  describe("refused credentials surface as AuthenticationFailed", () => {
    let fake: Server;
    let reply: TokenExchangeReply;
    const token = encodeToken({ host: "platform.invalid", id: "x", secret: "y" });
    beforeAll(async () => {
      // The platform's HTTPS leg, answering with whatever credentials a test sets.
      fake = createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(reply));
      });
      await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
      process.env.SYMPHONY_ADDRESS = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      delete process.env.SYMPHONY_ADDRESS;
      await new Promise((r) => fake.close(r));
    });

    const expectRefused = async () => {
      const ext = new Extension("Intruder", "intruder").withToken(token);
      const err = await ext.connect().then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(err?.code).toBe("AUTHENTICATION_FAILED");
      expect(err?.name).toBe("AuthenticationFailed");
      expect(err?.message).toMatch(/refused the credentials/);
      await expect(Client.connect(token)).rejects.toMatchObject({ code: "AUTHENTICATION_FAILED", name: "AuthenticationFailed" });
    };

    it("a user JWT signed by an account the operator never signed", async () => {
      const foreignOperator = createOperator();
      const foreignAccount = createAccount();
      await encodeAccount("FOREIGN", foreignAccount, {}, { signer: foreignOperator });
      const user = createUser();
      reply = {
        servers: [dev.natsUrl],
        identifier: "intruder-1",
        jwt: await encodeUser("intruder", user, foreignAccount),
        seed: new TextDecoder().decode(user.getSeed()),
      };
      await expectRefused();
    });

    it("a genuine user JWT with a tampered seed", async () => {
      delete process.env.SYMPHONY_ADDRESS;
      const genuine = await exchangeToken(dev.token);
      process.env.SYMPHONY_ADDRESS = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
      // Sanity: the genuine pair is accepted, so the refusal below is the seed's doing.
      const ok = await connect({ servers: dev.natsUrl, authenticator: jwtAuthenticator(genuine.jwt!, new TextEncoder().encode(genuine.seed!)) });
      await ok.close();
      reply = { ...genuine, seed: new TextDecoder().decode(createUser().getSeed()) };
      await expectRefused();
    });
  });

  it("a revoked key: its running extension is cut off and its NATS users are refused", async () => {
    // A key of its own, provisioned over HTTP like REGISTRATION_TOKEN does.
    const provisioned = await fetch(`${dev.httpUrl}${PROVISION_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${dev.registrationToken}`, "content-type": "application/json" },
      body: JSON.stringify({ prefix: "doomed", capabilities: [{ type: "sub", subject: "extensions.doomed", description: "d" }] }),
    });
    expect(provisioned.status).toBe(200);
    const { token } = (await provisioned.json()) as { token: string };

    const ext = new Extension("Doomed", "doomed").withToken(token).withStatusInterval(200);
    const { done } = await serveOnce(ext);
    const nc = ext.conn()!;
    const earlier = await exchangeToken(token); // NATS credentials issued before the revocation

    const cutOff = (async () => {
      for await (const s of nc.status()) if (s.type === "disconnect" || s.type === "error") return s.type;
      return "closed";
    })();
    await dev.revoke(token);
    const event = await Promise.race([cutOff, new Promise((r) => setTimeout(() => r("still connected"), 10_000))]);
    expect(["disconnect", "error", "closed"]).toContain(event);
    ext.stop();
    await done;

    // The exchange refuses the key...
    await expect(new Extension("Doomed", "doomed").withToken(token).connect()).rejects.toMatchObject({ code: "AUTHENTICATION_FAILED" });
    // ...and nats-server refuses users issued for it before the revocation.
    const withOldUser = new Extension("Doomed", "doomed").withNatsUrl(dev.natsUrl, {
      authenticator: jwtAuthenticator(earlier.jwt!, new TextEncoder().encode(earlier.seed!)),
      reconnect: false,
    });
    await expect(withOldUser.connect()).rejects.toMatchObject({ code: "AUTHENTICATION_FAILED", name: "AuthenticationFailed" });
    // Other keys are untouched.
    const other = await exchangeToken(dev.token);
    const still = await connect({ servers: dev.natsUrl, authenticator: jwtAuthenticator(other.jwt!, new TextEncoder().encode(other.seed!)) });
    await still.close();
    expect(dev.apiKeys().find((k) => k.prefix === "doomed")?.revoked).toBe(true);
  });

  describe("REGISTRATION_TOKEN provisioning in a real extension process", () => {
    let home: string;
    beforeAll(() => {
      home = tempDir("home");
    });

    it("with no token anywhere: one error line with instructions, exit code 1, no prompt", async () => {
      const run = await runChild({ HOME: home, SYMPHONY_LOG_LEVEL: "info" });
      expect(run.code).toBe(1);
      expect(run.lines).toHaveLength(1);
      expect(run.lines[0]).toMatchObject({ level: "error", extension: "prov" });
      expect(String(run.lines[0]!.message)).toMatch(/SYMPHONY_TOKEN.*REGISTRATION_TOKEN/);
      expect(String(run.lines[0]!.message)).toContain(path.join(home, ".config", "cirata", "prov.token"));
      expect(run.stderr).toBe("");
    });

    it("provisions once with the declared capabilities, stores the key in ~/.config/cirata (no keyring here), and serves", async () => {
      const keysBefore = dev.apiKeys().length;
      const run = await runChild({ HOME: home, REGISTRATION_TOKEN: dev.registrationToken });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const messages = run.lines.map((l) => l.message);
      expect(messages).toContain("registered");
      expect(run.lines.find((l) => l.message === "registered")?.id).toMatch(/^prov-\d+$/);

      const keys = dev.apiKeys();
      expect(keys.length).toBe(keysBefore + 1);
      const key = keys.at(-1)!;
      expect(key).toMatchObject({ kind: "api", prefix: "prov", revoked: false });
      expect(key.capabilities).toEqual([
        { type: "sub", subject: "extensions.prov", description: "Requests to the extension" },
        { type: "pub", subject: "events.prov", description: "Events it emits" },
      ]);

      const file = path.join(home, ".config", "cirata", "prov.token");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      const stored = readFileSync(file, "utf8").trim();
      expect(stored).toMatch(/^sym_/);
      expect(stored).not.toBe(dev.registrationToken);
      expect(run.lines.find((l) => l.store === "file" && l.path === file)).toBeDefined();

      // Tokens never reach the log, not even at debug level.
      expectNoSecrets(run.stdout, [dev.registrationToken, stored, dev.token]);
    });

    it("later runs use the stored key: no second provisioning, even with REGISTRATION_TOKEN still set", async () => {
      const keysBefore = dev.apiKeys().length;
      const stored = readFileSync(path.join(home, ".config", "cirata", "prov.token"), "utf8").trim();
      for (const env of [{ HOME: home }, { HOME: home, REGISTRATION_TOKEN: dev.registrationToken }]) {
        const run = await runChild(env);
        expect(run.code).toBe(0);
        expect(run.lines.map((l) => l.message)).toContain("using the API token stored in a file");
        expect(run.lines.map((l) => l.message)).toContain("registered");
        expect(run.lines.some((l) => String(l.message).startsWith("provisioning"))).toBe(false);
        expectNoSecrets(run.stdout, [dev.registrationToken, stored]);
      }
      expect(dev.apiKeys().length).toBe(keysBefore);
    });

    it("honours XDG_CONFIG_HOME, and a refused registration token fails with AuthenticationFailed and exit 1", async () => {
      const xdg = tempDir("xdg");
      const ok = await runChild({ HOME: "/nonexistent", XDG_CONFIG_HOME: xdg, REGISTRATION_TOKEN: dev.registrationToken });
      expect(ok.code).toBe(0);
      expect(statSync(path.join(xdg, "cirata", "prov.token")).mode & 0o777).toBe(0o600);

      const bogus = encodeToken({ host: new URL(dev.httpUrl).host, id: "registration", secret: "not-issued", scheme: "http" });
      const refused = await runChild({ HOME: tempDir("home2"), REGISTRATION_TOKEN: bogus });
      expect(refused.code).toBe(1);
      const errors = refused.lines.filter((l) => l.level === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: "AUTHENTICATION_FAILED" });
      expectNoSecrets(refused.stdout, [bogus]);
    });
  });
});

describe("reconnects (open mode)", () => {
  it("re-registers after nats-server is stopped and restarted on the same port and store", async () => {
    const port = await freePort();
    const storeDir = tempDir("store");
    let nats = await startNatsServer({ port, storeDir });
    const dev = await startDev({ port: 0, natsUrl: nats.url, discoverIntervalMs: 200 });
    const ext = new Extension("Petstore", "petstore").withToken(dev.token).withStatusInterval(200);
    let done: Promise<void> | undefined;
    try {
      ({ done } = await serveOnce(ext, (e) => register(e, createPetStore([{ id: 1, name: "Rex", tag: "dog" }]))));
      const id = ext.identifier()!;
      await until("registration", () => dev.platform.extensions().some((r) => r.entry.id === id));

      await nats.stop();
      // Longer than three status intervals: the platform forgets the entry, and
      // status messages alone never bring it back.
      await new Promise((r) => setTimeout(r, 1500));
      expect(dev.platform.extensions().some((r) => r.entry.id === id)).toBe(false);

      nats = await startNatsServer({ port, storeDir });
      await until("re-registration after the outage", () => dev.platform.extensions().some((r) => r.entry.id === id), 20_000);
      expect(ext.conn()!.isClosed()).toBe(false);
      await until("the gateway to serve again", async () => (await fetch(`${dev.httpUrl}/api/petstore/pets/1`)).status === 200, 15_000);
    } finally {
      // Bounded, so a failure above never leaves a nats-server behind.
      const within = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((r) => setTimeout(r, 5_000))]);
      ext.stop();
      await within(done);
      await within(dev.stop());
      await nats.stop();
    }
  }, 90_000);
});
