/**
 * Decentralized (operator-mode) NATS authentication for the local platform:
 * an operator, a system account and one application account, all signed with
 * real NKeys, served to nats-server with `resolver: MEMORY` + `resolver_preload`.
 *
 * The platform issues each extension instance its own user JWT + seed at the
 * token exchange, and can revoke a user by re-signing the account JWT with a
 * revocation and pushing it to the server through the system account
 * (`$SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE`); the server then disconnects
 * and refuses that user.
 */
import { encodeAccount, encodeOperator, encodeUser } from "@nats-io/jwt";
import type { Account, OperatorLimits, User } from "@nats-io/jwt";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";
import { connect, jwtAuthenticator, type ConnectionOptions, type NatsConnection } from "nats";

/** No limits: the local platform is for development, not for quota tests. */
const UNLIMITED_CORE: OperatorLimits = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};
/** The application account also gets JetStream (the system account must not). */
const UNLIMITED: OperatorLimits = {
  ...UNLIMITED_CORE,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/** nats-server's longest protocol line (CONNECT with the user JWT): 64 KiB. */
const MAX_CONTROL_LINE = 64 * 1024;

export interface UserCredentials {
  /** User JWT signed by the application account. */
  jwt: string;
  /** The user's NKey seed (`SU...`), which signs the server's nonce. */
  seed: string;
  /** The user's public key (`U...`), the key revocations name. */
  publicKey: string;
}

export class OperatorAuth {
  readonly #operator: KeyPair;
  readonly #system: KeyPair;
  readonly #account: KeyPair;
  readonly #operatorJwt: string;
  readonly #systemJwt: string;
  #accountJwt: string;
  readonly #revocations: Record<string, number> = {};
  #systemUser?: UserCredentials;

  private constructor(operator: KeyPair, system: KeyPair, account: KeyPair, operatorJwt: string, systemJwt: string, accountJwt: string) {
    this.#operator = operator;
    this.#system = system;
    this.#account = account;
    this.#operatorJwt = operatorJwt;
    this.#systemJwt = systemJwt;
    this.#accountJwt = accountJwt;
  }

  static async create(): Promise<OperatorAuth> {
    const operator = createOperator();
    const system = createAccount();
    const account = createAccount();
    const operatorJwt = await encodeOperator("symphony-dev", operator, { system_account: system.getPublicKey() });
    const systemJwt = await encodeAccount("SYS", system, { limits: UNLIMITED_CORE }, { signer: operator });
    const auth = new OperatorAuth(operator, system, account, operatorJwt, systemJwt, "");
    auth.#accountJwt = await auth.#signAccount();
    return auth;
  }

  /** Public key of the application account every extension user belongs to. */
  get accountPublicKey(): string {
    return this.#account.getPublicKey();
  }

  /** The current (possibly re-signed) application account JWT. */
  get accountJwt(): string {
    return this.#accountJwt;
  }

  /** nats-server configuration: trusted operator, system account, in-memory resolver with both accounts preloaded. */
  serverConfig(): string {
    return [
      `operator: ${this.#operatorJwt}`,
      `system_account: ${this.#system.getPublicKey()}`,
      "resolver: MEMORY",
      // The user JWT, permissions included, travels in the CONNECT line; the default 4 KiB is too short for a few buckets and capabilities.
      `max_control_line: ${MAX_CONTROL_LINE}`,
      "resolver_preload: {",
      `  ${this.#system.getPublicKey()}: ${this.#systemJwt}`,
      `  ${this.#account.getPublicKey()}: ${this.#accountJwt}`,
      "}",
      "",
    ].join("\n");
  }

  /** A new user of the application account. */
  async issueUser(name: string, permissions: Partial<User> = {}): Promise<UserCredentials> {
    return issue(name, this.#account, permissions);
  }

  /** Connection options authenticating as `user` (JWT + NKey nonce signature). */
  static connectOptions(user: UserCredentials): Pick<ConnectionOptions, "authenticator"> {
    return { authenticator: jwtAuthenticator(user.jwt, new TextEncoder().encode(user.seed)) };
  }

  /**
   * Revokes every JWT issued so far to these user keys: re-signs the account
   * JWT with the revocations and pushes it to the server at `servers`.
   */
  async revoke(userPublicKeys: string[], servers: string | string[]): Promise<void> {
    if (userPublicKeys.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    for (const key of userPublicKeys) this.#revocations[key] = now;
    this.#accountJwt = await this.#signAccount();
    await this.pushAccount(servers);
  }

  /** Sends the current account JWT to the server through the system account. */
  async pushAccount(servers: string | string[]): Promise<void> {
    this.#systemUser ??= await issue("symphony-dev-system", this.#system);
    const nc: NatsConnection = await connect({ servers, name: "symphony-dev-system", ...OperatorAuth.connectOptions(this.#systemUser) });
    try {
      const reply = await nc.request(`$SYS.REQ.ACCOUNT.${this.accountPublicKey}.CLAIMS.UPDATE`, this.#accountJwt, { timeout: 5_000 });
      const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { data?: { code?: number; message?: string }; error?: { code?: number; description?: string } };
      if (answer.error || answer.data?.code !== 200) {
        throw new Error(`nats-server refused the account update: ${answer.error?.description ?? answer.data?.message ?? "no answer"}`);
      }
    } finally {
      await nc.close();
    }
  }

  async #signAccount(): Promise<string> {
    const claims: Partial<Account> = { limits: UNLIMITED };
    if (Object.keys(this.#revocations).length > 0) claims.revocations = { ...this.#revocations };
    return encodeAccount("SYMPHONY", this.#account, claims, { signer: this.#operator });
  }
}

async function issue(name: string, account: KeyPair, permissions: Partial<User> = {}): Promise<UserCredentials> {
  const user = createUser();
  const jwt = await encodeUser(name, user, account, permissions);
  return { jwt, seed: new TextDecoder().decode(user.getSeed()), publicKey: user.getPublicKey() };
}
