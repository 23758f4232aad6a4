/**
 * Isolation in operator mode, with real nats-server and real extensions: alpha and beta run with
 * keys provisioned for their prefixes; an attacker connects with the NATS credentials the token
 * exchange issues for alpha's key and attempts every cross-extension action of issue 13. Each one
 * is counted (attempted, refused); the legitimate traffic of both extensions keeps working.
 * docs/reliability.md carries the table.
 */
import { connect, jwtAuthenticator, type Msg, type NatsConnection, type Status } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Client,
  Extension,
  exchangeToken,
  openBucket,
  PROVISION_PATH,
  type Capability,
  type RegistrationEntry,
  type TokenExchangeRequest,
} from "@symphony-codegen/runtime";
import { startDev, type DevPlatform } from "../dev/server.js";
import { until } from "./helpers/dev-cli.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (value: unknown) => JSON.stringify(value);
const parse = (msg: Msg) => JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;


let dev: DevPlatform;
const running: { ext: Extension; done: Promise<void> }[] = [];

async function provision(prefix: string, capabilities: Capability[]): Promise<string> {
  const res = await fetch(`${dev.httpUrl}${PROVISION_PATH}`, {
    method: "POST",
    headers: { authorization: `Bearer ${dev.registrationToken}`, "content-type": "application/json" },
    body: json({ prefix, capabilities }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function serve(ext: Extension, setup: (e: Extension) => unknown): Promise<Extension> {
  const done = ext.runWithSetup(setup);
  running.push({ ext, done });
  await ext.ready();
  return ext;
}

/** What the attacker tried, and whether nats-server or the platform refused it. */
const checks: { action: string; refused: boolean }[] = [];

describe("operator mode isolates extensions from each other", () => {
  let alphaToken: string;
  let alpha: Extension;
  let beta: Extension;
  let attacker: NatsConnection;
  /** Permission violations nats-server reported to the attacker. */
  const violations: NonNullable<Status["permissionContext"]>[] = [];
  const violated = (operation: "publish" | "subscription", subject: string) => violations.some((v) => v.operation === operation && v.subject === subject);
  const refusedBy = (operation: "publish" | "subscription", subject: string) =>
    until(`nats-server to refuse ${operation} on ${subject}`, () => violated(operation, subject), 20_000).then(
      () => true,
      () => false,
    );
  /** Beta's registry entry, as the platform has it. */
  const betaEntry = () => dev.platform.extensions().find((r) => r.entry.id === beta.identifier());
  /** Ten requests to beta, as the gateway sends them (its connection is the platform's): who answered each. */
  const callBeta = async () => {
    const answers: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const reply = await dev.nc.request("cirata.extensions.beta.login", json({ user: "ada", password: "hunter2" }), { timeout: 5_000 });
      answers.push(parse(reply).answeredBy);
    }
    return answers;
  };

  beforeAll(async () => {
    delete process.env.NATS_URL;
    delete process.env.SYMPHONY_ADDRESS;
    dev = await startDev({ port: 0, discoverIntervalMs: 200, auth: "operator" });
    alphaToken = await provision("alpha", []);
    const betaToken = await provision("beta", [{ type: "pub", subject: "cirata.extensions.alpha.>", description: "Calls alpha" }]);

    alpha = await serve(new Extension("Alpha", "alpha").withToken(alphaToken).withStatusInterval(200).addBucket("alpha_data", "Alpha's data", 0), async (e) => {
      const svc = await e.addEndpoints("Alpha", "1.0.0", "Echo");
      svc.addEndpoint("echo", { subject: "cirata.extensions.alpha.echo", handler: (_err, msg) => msg.respond(msg.data) });
    });
    beta = await serve(new Extension("Beta", "beta").withToken(betaToken).withStatusInterval(200).addBucket("beta_data", "Beta's data", 0), async (e) => {
      const svc = await e.addEndpoints("Beta", "1.0.0", "Login");
      svc.addEndpoint("login", { subject: "cirata.extensions.beta.login", handler: (_err, msg) => msg.respond(json({ answeredBy: "beta" })) });
      await (await openBucket(await e.jetstream(), "beta_data")).put("owner", "beta");
    });

    // The attacker holds alpha's key, so it gets exactly what the platform grants alpha.
    const credentials = await exchangeToken(alphaToken, undefined, fetch, { prefix: "alpha" });
    expect(credentials.inboxPrefix).toMatch(/^_INBOX_alpha-\d+$/);
    attacker = await connect({
      servers: credentials.servers,
      authenticator: jwtAuthenticator(credentials.jwt!, encoder.encode(credentials.seed!)),
      inboxPrefix: credentials.inboxPrefix,
      reconnect: false,
    });
    void (async () => {
      for await (const s of attacker.status()) if (s.permissionContext) violations.push(s.permissionContext);
    })();
  }, 60_000);

  afterAll(async () => {
    await attacker?.close();
    for (const { ext, done } of running) {
      ext.stop();
      await done.catch(() => {});
    }
    await dev?.stop();
    const refused = checks.filter((c) => c.refused).length;
    console.log(JSON.stringify({ isolation: { attempted: checks.length, refused }, checks }));
  });

  it("legitimate traffic works: each serves, uses its own bucket and the platform; beta calls alpha as declared", async () => {
    await until("both registered", () => !!betaEntry() && dev.platform.extensions().some((r) => r.entry.id === alpha.identifier()), 20_000);
    expect(await callBeta()).toEqual(Array(10).fill("beta"));
    const echo = await beta.conn()!.request("cirata.extensions.alpha.echo", "hi", { timeout: 5_000 });
    expect(decoder.decode(echo.data)).toBe("hi");

    const kv = await openBucket(await alpha.jetstream(), "alpha_data");
    await kv.put("k", "v");
    expect(decoder.decode((await kv.get("k"))!.value)).toBe("v");
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    expect(keys).toEqual(["k"]);
    expect(await alpha.reportUsage({ calls: 2 })).toMatchObject({ ok: true, totals: { calls: 2 } });
    expect(await alpha.getEnforcementState()).toBe("enforcement_ok");

    // The partitioner's bucket (<prefix>_instances) is alpha's too: KV watch, consumers, flow control.
    const partitioner = alpha.enableWorkPartitioning();
    await partitioner.start(await alpha.jetstream());
    await partitioner.stop();

    // A Client with the development token calls extensions and reads buckets, nothing more.
    const client = await Client.connect(dev.token);
    try {
      expect(await client.storage("beta_data", "owner")).toBe("beta");
      const list = await client.extensions();
      expect(list.map((e) => e.entry.prefix)).toEqual(expect.arrayContaining(["alpha", "beta"]));
    } finally {
      await client.close();
    }
    expect(violations).toEqual([]);
  });

  it("alpha cannot read or answer beta's traffic: the subscriptions are refused", async () => {
    const seen: Msg[] = [];
    for (const [subject, queue] of [["cirata.extensions.beta.>"], ["_INBOX.>"], ["$SRV.>"], [">"], ["cirata.extensions.beta.login", "q"]] as [
      string,
      string?,
    ][]) {
      attacker.subscribe(subject, {
        queue,
        callback: (err, msg) => {
          if (err) return;
          seen.push(msg);
          if (queue) msg.respond(json({ answeredBy: "alpha" })); // a forged reply, were it ever delivered
        },
      });
      const refused = await refusedBy("subscription", subject);
      checks.push({ action: `subscribe ${subject}${queue ? ` (queue ${queue})` : ""}`, refused });
      expect(refused, subject).toBe(true);
    }
    // A client's request to beta (password included) and beta's replies: none reach alpha; beta answers every call.
    expect(await callBeta()).toEqual(Array(10).fill("beta"));
    await attacker.flush();
    expect(seen).toEqual([]);
  });

  it("alpha cannot call beta without a declared capability", async () => {
    const attempt = attacker.request("cirata.extensions.beta.login", json({ user: "x" }), { timeout: 5_000, noMux: true });
    await expect(attempt).rejects.toMatchObject({ code: "PERMISSIONS_VIOLATION" });
    checks.push({ action: "request cirata.extensions.beta.login (no capability)", refused: await refusedBy("publish", "cirata.extensions.beta.login") });
  });

  it("alpha cannot register as prefix beta, nor take over beta's instance id", async () => {
    const forged: RegistrationEntry = { ...alpha.registration(), prefix: "beta", name: "Beta (forged)", buckets: [] };
    for (const subject of ["cirata.registry.register.beta", "cirata.registry.register"]) {
      await expect(attacker.request(subject, json(forged), { timeout: 5_000, noMux: true })).rejects.toMatchObject({ code: "PERMISSIONS_VIOLATION" });
      checks.push({ action: `register prefix beta on ${subject}`, refused: await refusedBy("publish", subject) });
    }
    // On its own subject the registry answers, and refuses: the payload names another prefix, or beta's instance.
    const own = parse(await attacker.request("cirata.registry.register.alpha", json(forged), { timeout: 5_000 }));
    expect(own).toMatchObject({ ok: false, error: expect.stringMatching(/registration for extension beta sent on the subject of extension alpha/) });
    checks.push({ action: "register prefix beta on cirata.registry.register.alpha", refused: own.ok === false });
    const hijack = parse(
      await attacker.request("cirata.registry.register.alpha", json({ ...alpha.registration(), id: beta.identifier() }), { timeout: 5_000 }),
    );
    expect(hijack).toMatchObject({ ok: false, error: expect.stringMatching(/is registered by extension beta/) });
    checks.push({ action: "register alpha under beta's instance id", refused: hijack.ok === false });
    expect(betaEntry()?.entry).toMatchObject({ prefix: "beta", name: "Beta" });
    expect(dev.platform.extensions().filter((r) => r.entry.prefix === "beta")).toHaveLength(1);
  });

  it("alpha cannot publish a disconnected status for beta: the registry keeps beta", async () => {
    const status = { id: beta.identifier(), prefix: "beta", status: "disconnected", timestamp: new Date().toISOString() };
    for (const subject of ["cirata.registry.status.beta", "cirata.registry.status"]) {
      attacker.publish(subject, json(status));
      checks.push({ action: `status disconnected for beta on ${subject}`, refused: await refusedBy("publish", subject) });
    }
    attacker.publish("cirata.registry.status.alpha", json(status));
    // Same connection, in order: once the list answers, the platform has handled the status above.
    const list = parse(await attacker.request("cirata.registry.list", "{}", { timeout: 5_000 })) as { extensions: { entry: { id: string } }[] };
    const kept = list.extensions.some((r) => r.entry.id === beta.identifier());
    checks.push({ action: "status disconnected for beta on cirata.registry.status.alpha", refused: kept });
    expect(kept).toBe(true);
    expect(violations.filter((v) => v.operation === "publish" && v.subject.startsWith("cirata.registry.status")).map((v) => v.subject)).toEqual([
      "cirata.registry.status.beta",
      "cirata.registry.status",
    ]);
    expect(betaEntry()).toBeDefined();
  });

  it("alpha cannot report usage for beta", async () => {
    await expect(
      attacker.request("cirata.usage.report.beta", json({ prefix: "beta", dimensions: { calls: 1 } }), { timeout: 5_000, noMux: true }),
    ).rejects.toMatchObject({
      code: "PERMISSIONS_VIOLATION",
    });
    checks.push({ action: "usage report for beta on cirata.usage.report.beta", refused: await refusedBy("publish", "cirata.usage.report.beta") });
    const own = parse(await attacker.request("cirata.usage.report.alpha", json({ prefix: "beta", dimensions: { calls: 1 } }), { timeout: 5_000 }));
    checks.push({ action: "usage report for beta on cirata.usage.report.alpha", refused: own.ok === false });
    expect(own.ok).toBe(false);
    expect(dev.platform.usage("beta")).toEqual({});
  });

  it("alpha cannot create, read or write beta's KV bucket", async () => {
    const js = attacker.jetstream({ timeout: 2_000 });
    for (const bucket of ["beta_data", "beta_new"]) {
      await expect(js.views.kv(bucket)).rejects.toThrow();
      checks.push({ action: `create KV bucket ${bucket}`, refused: await refusedBy("publish", `$JS.API.STREAM.INFO.KV_${bucket}`) });
    }
    attacker.publish("$KV.beta_data.owner", "alpha");
    checks.push({ action: "put $KV.beta_data.owner", refused: await refusedBy("publish", "$KV.beta_data.owner") });
    const direct = "$JS.API.DIRECT.GET.KV_beta_data.$KV.beta_data.owner";
    await expect(attacker.request(direct, "", { timeout: 5_000, noMux: true })).rejects.toMatchObject({ code: "PERMISSIONS_VIOLATION" });
    checks.push({ action: "direct get from KV_beta_data", refused: await refusedBy("publish", direct) });
    // Beta's value is untouched, and no bucket beta_new exists.
    expect(decoder.decode((await (await openBucket(await beta.jetstream(), "beta_data")).get("owner"))!.value)).toBe("beta");
    await expect(openBucket(dev.nc.jetstream(), "beta_new")).rejects.toMatchObject({ code: "BUCKET_NOT_FOUND" });
  });

  it("the token exchange refuses alpha's key for prefix beta or for beta's bucket", async () => {
    for (const [what, request] of [
      ["exchange alpha's key for prefix beta", { prefix: "beta" }],
      ["exchange alpha's key claiming bucket beta_data", { prefix: "alpha", buckets: ["beta_data"] }],
    ] as [string, TokenExchangeRequest][]) {
      const refused = await exchangeToken(alphaToken, undefined, fetch, request).then(
        () => false,
        (err: Error & { code?: string }) => err.code === "AUTHENTICATION_FAILED" && /HTTP 403/.test(err.message),
      );
      checks.push({ action: what, refused });
      expect(refused, what).toBe(true);
    }
  });

  it("every attempted cross-extension action was refused", () => {
    expect(checks.length).toBe(21);
    expect(checks.filter((c) => !c.refused)).toEqual([]);
  });
});
