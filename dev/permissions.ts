/**
 * NATS permissions of the users the local platform issues in operator mode (docs/sdk-auth.md,
 * "Isolation"): an extension's user reaches its own subjects, its own inbox, its own KV buckets
 * and the platform subjects of its own prefix, plus what its declared capabilities add; replies
 * to whoever asked it go through `allow_responses`, never through a publish right on `_INBOX.>`.
 */
import type { User } from "@nats-io/jwt";
import { SPEC_BUCKET } from "@symphony-codegen/runtime/internal/sdk/metadata.js";
import { platformSubjects, SCOPED_SUBJECTS, SUBJECTS, type Capability } from "@symphony-codegen/runtime/internal/sdk/platform.js";

/** Platform subjects anyone may ask: their answers hold nothing private. */
const SHARED_QUERIES = [SUBJECTS.list, SUBJECTS.info, SUBJECTS.clusterInfo];

/** NATS micro discovery requests (`$SRV.<verb>`, `.<name>`, `.<name>.<id>`): they carry no data, the answers go to the asker's inbox. */
const DISCOVERY = ["$SRV.PING", "$SRV.INFO", "$SRV.STATS", "$SRV.*.*", "$SRV.*.*.*"];

/**
 * A reply may be sent once per request received, within the server's default 2 minutes
 * (`ttl: 0`): enough for any handler, and no way to publish into someone else's inbox unasked.
 */
const RESPONSES = { max: 1, ttl: 0 };

/**
 * The JetStream API subjects that manage and read one stream (KV bucket `B` is stream `KV_B`,
 * object store `B` is `OBJ_B`), as few wildcards as cover them: the user JWT travels in the
 * CONNECT line, so every subject here counts against its length.
 */
export function streamApiSubjects(stream: string): string[] {
  const api = "$JS.API";
  return [
    `${api}.STREAM.*.${stream}`, // CREATE, UPDATE, INFO, DELETE, PURGE
    `${api}.STREAM.MSG.*.${stream}`, // MSG.GET, MSG.DELETE
    `${api}.DIRECT.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}.>`,
    // Consumers (kv.keys(), watch(), history()): CREATE (plain, named, filtered), INFO, DELETE, DURABLE.CREATE, MSG.NEXT.
    `${api}.CONSUMER.*.${stream}`,
    `${api}.CONSUMER.*.${stream}.>`,
    `${api}.CONSUMER.*.*.${stream}.>`,
  ];
}

export const kvSubjects = (bucket: string): string[] => [...streamApiSubjects(`KV_${bucket}`), `$KV.${bucket}.>`];
export const objectStoreSubjects = (bucket: string): string[] => [...streamApiSubjects(`OBJ_${bucket}`), `$O.${bucket}.>`];

/** The partitioner's bucket (runtime/sdk/partitioner.ts): every extension may use its own. */
export const instancesBucket = (prefix: string): string => `${prefix}_instances`;

/** The inbox prefix of one issued user: its requests' replies arrive below it and nowhere else. */
export const inboxPrefixFor = (identifier: string): string => `_INBOX_${identifier}`;

export interface ExtensionGrant {
  prefix: string;
  inboxPrefix: string;
  /** KV buckets the extension owns (declared, claimed for its prefix). */
  buckets: string[];
  /** Declared capabilities: each adds its subject to the publish or subscribe list. */
  capabilities: readonly Capability[];
}

const unique = (list: string[]) => [...new Set(list)];

/** What an extension's user may do. */
export function extensionPermissions(grant: ExtensionGrant): Partial<User> {
  const own = `cirata.extensions.${grant.prefix}.>`;
  const scoped = platformSubjects(grant.prefix, true);
  const declared = (type: Capability["type"]) => grant.capabilities.filter((c) => c.type === type).map((c) => c.subject);
  const pub = [
    own,
    ...SCOPED_SUBJECTS.map((k) => scoped[k]),
    ...SHARED_QUERIES,
    "$JS.API.INFO",
    ...grant.buckets.flatMap(kvSubjects),
    // Specs too large for $SRV.INFO metadata go to the shared spec store (runtime/serve/serve.ts).
    ...objectStoreSubjects(SPEC_BUCKET),
    ...declared("pub"),
  ];
  const sub = [own, `${grant.inboxPrefix}.>`, ...DISCOVERY, ...declared("sub")];
  return {
    pub: { allow: unique(pub) },
    sub: { allow: unique(sub) },
    resp: RESPONSES,
  };
}

/**
 * A `Client` with the development token (no prefix): calls any extension, asks the platform,
 * discovers services and reads KV buckets; it serves nothing and writes no bucket.
 */
export function clientPermissions(inboxPrefix: string): Partial<User> {
  const api = "$JS.API";
  const readStreams = [
    `${api}.INFO`,
    `${api}.STREAM.LIST`,
    `${api}.STREAM.NAMES`,
    `${api}.STREAM.INFO.*`,
    `${api}.STREAM.MSG.GET.*`,
    `${api}.DIRECT.GET.>`,
    `${api}.CONSUMER.CREATE.*`,
    `${api}.CONSUMER.CREATE.*.>`,
    ...["INFO", "DELETE", "MSG.NEXT"].map((op) => `${api}.CONSUMER.${op}.*.*`),
  ];
  return {
    pub: {
      allow: ["cirata.extensions.*.>", ...SHARED_QUERIES, "$SRV.>", ...readStreams],
    },
    sub: { allow: [`${inboxPrefix}.>`] },
  };
}
