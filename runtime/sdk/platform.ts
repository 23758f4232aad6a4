/**
 * Platform subjects and payloads (docs/protocol.md) shared by the runtime and the
 * local platform (`symphony-codegen dev`), so both sides read one definition.
 */
export const SUBJECTS = {
  register: "cirata.registry.register",
  status: "cirata.registry.status",
  list: "cirata.registry.list",
  info: "cirata.platform.info",
  clusterInfo: "cirata.services.cluster.info",
  usageReport: "cirata.usage.report",
  enforcement: "cirata.usage.enforcement",
} as const;

/**
 * The platform subjects that carry an extension's identity in their payload (registration, status,
 * usage, enforcement). NATS permissions cannot look into a payload, so a platform that isolates
 * extensions (the local platform in operator mode) has each extension send them on
 * `<subject>.<prefix>`, the only form its user may publish, and checks that the payload's prefix
 * matches the subject's. The exchange reply says so with `scopedSubjects: true`.
 */
export const SCOPED_SUBJECTS = ["register", "status", "usageReport", "enforcement"] as const;
export type PlatformSubjects = { -readonly [K in keyof typeof SUBJECTS]: string };

/** The subjects an extension of `prefix` uses: per-prefix when the platform asked for it, else the shared ones. */
export function platformSubjects(prefix: string, scoped: boolean): PlatformSubjects {
  const subjects: PlatformSubjects = { ...SUBJECTS };
  if (scoped) for (const key of SCOPED_SUBJECTS) subjects[key] = `${SUBJECTS[key]}.${prefix}`;
  return subjects;
}

/** HTTP path of the token exchange on the platform host. */
export const TOKEN_EXCHANGE_PATH = "/api/v1/extensions/token-exchange";

/**
 * HTTP path of one-time provisioning on the platform host (docs/sdk-auth.md):
 * `POST` with `Authorization: Bearer <registration token>` and a
 * {@link ProvisionRequest} body; the platform answers 200 with a
 * {@link ProvisionReply} holding a permanent API key token that carries the
 * declared capabilities, or 401 for an unknown registration token.
 */
export const PROVISION_PATH = "/api/v1/extensions/provision";

export interface ProvisionRequest {
  /** The extension's prefix; the key is issued for it. */
  prefix: string;
  /** Declared capabilities: the key's default permissions. */
  capabilities: Capability[];
}

export interface ProvisionReply {
  /** The permanent API key token (`sym_...`). */
  token: string;
}

export interface Capability {
  type: "pub" | "sub";
  subject: string;
  description: string;
}
export interface Resource {
  uri: string;
  mimeType: string;
  content: string;
  name?: string;
  description?: string;
  meta?: Record<string, unknown>;
}
export interface RouteEntry {
  path: string;
  resource: string;
}
export interface MenuEntry {
  group: string;
  item: string;
  route: string;
  icon: string;
  link?: string;
}
export interface WidgetEntry {
  name: string;
  resource: string;
  notes?: string;
}
export interface BucketEntry {
  name: string;
  description: string;
  /** Seconds; 0 = entries never expire. */
  ttl: number;
}

/** What an extension registers; re-sent whenever it changes. */
export interface RegistrationEntry {
  /** Instance identifier. */
  id: string;
  name: string;
  prefix: string;
  description: string;
  /** Seconds between status messages; the platform expires the entry after three missed. */
  statusInterval: number;
  capabilities: Capability[];
  resources: Resource[];
  routes: RouteEntry[];
  menus: MenuEntry[];
  widgets: WidgetEntry[];
  buckets: BucketEntry[];
}

export interface StatusMessage {
  id: string;
  prefix: string;
  status: "running" | "disconnected";
  timestamp: string;
}

/**
 * The exchange's JSON body: who is asking. A platform that isolates extensions scopes the NATS
 * user to `prefix` (a key provisioned for another prefix is refused) and grants access to the
 * declared `buckets` (KV); `capabilities` widen the permissions only for a key that has none of
 * its own (the local platform's development token). A `Client` sends `{}`.
 */
export interface TokenExchangeRequest {
  prefix?: string;
  buckets?: string[];
  capabilities?: Capability[];
}

export interface TokenExchangeReply {
  /** NATS server URLs to connect to. */
  servers: string[];
  /** User JWT and NKey seed for JWT + NKey signature authentication; absent on an open development server. */
  jwt?: string;
  seed?: string;
  /** The instance identifier derived from the token. */
  identifier: string;
  /**
   * The inbox prefix the connection must use (nats.js `inboxPrefix`): a user isolated from other
   * extensions may subscribe only below it, so replies to its requests arrive nowhere else.
   */
  inboxPrefix?: string;
  /** Send registration, status, usage and enforcement on `<subject>.<prefix>` ({@link platformSubjects}). */
  scopedSubjects?: boolean;
}

export type EnforcementStatus = "enforcement_ok" | "enforcement_warning" | "enforcement_grace" | "enforcement_enforced";
