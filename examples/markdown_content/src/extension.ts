/**
 * Markdown Content: a dashboard widget whose markdown lives in a JetStream
 * key-value bucket. `GET /content` reads it, `PUT /content` replaces it; every
 * change, from this instance, another instance or a direct KV write, is pushed
 * to the widget with `updateResource`, which re-registers the extension so the
 * UI shows the new content at once.
 */
import { KvWatchInclude, type KV, type KvEntry } from "nats";
import { clusterReplicas, ensureBuckets, MimeType, Extension } from "@symphony-codegen/runtime";
import { GetContent, PutContent, register, type Handlers } from "./generated/index.js";

export const PREFIX = "markdown_content";
export const BUCKET = "markdown_content";
export const CONTENT_KEY = "content";
export const WIDGET_URI = "ui://markdown_content/widget";
const BUCKET_DESCRIPTION = "Markdown shown by the Markdown Content widget";

export const DEFAULT_MARKDOWN = `# Markdown Content

Nothing here yet. Replace this text with \`PUT /api/${PREFIX}/content\`.
`;

export function createExtension(): Extension {
  return new Extension("Markdown Content", PREFIX)
    .withDescription("A dashboard widget showing markdown kept in a KV bucket")
    .addCapability("sub", `extensions.${PREFIX}`, "Markdown Content")
    .addBucket(BUCKET, BUCKET_DESCRIPTION, 0)
    .addResource(WIDGET_URI, MimeType.TextSlashMarkdown, DEFAULT_MARKDOWN)
    .addRoute(`/${PREFIX}`, WIDGET_URI)
    .addWidgetWithNotes("Markdown Content", WIDGET_URI, "Markdown kept in a KV bucket; edit it with PUT /content");
}

interface Stored {
  markdown: string;
  revision: number;
  updated?: string;
}

const decode = (entry: KvEntry): Stored => ({
  markdown: entry.string(),
  revision: entry.revision,
  updated: entry.created.toISOString(),
});

export async function setup(ext: Extension): Promise<void> {
  // The platform creates declared buckets at registration, which follows setup;
  // creating it here with the same settings (and the cluster's replicas) lets
  // the stored content be read before the first registration. Idempotent.
  const js = await ext.jetstream();
  await ensureBuckets(js, [{ name: BUCKET, description: BUCKET_DESCRIPTION, ttl: 0 }], await clusterReplicas(ext.conn()!));
  const kv: KV = await js.views.kv(BUCKET, { bindOnly: true });

  let current: Stored = { markdown: DEFAULT_MARKDOWN, revision: 0 };
  const stored = await kv.get(CONTENT_KEY);
  if (stored && stored.operation === "PUT") current = decode(stored);

  /** The widget update for `current`, once started. */
  let shown: Promise<void> = Promise.resolve();
  /**
   * Shows `next` in the widget unless it is not newer than what is shown. The watcher and the
   * PUT handler both see each write; whichever comes second waits for the first one's update,
   * so a PUT answers only once the widget shows its content.
   */
  const show = (next: Stored): Promise<void> => {
    if (next.revision <= current.revision) return shown;
    current = next;
    shown = ext.updateResource(WIDGET_URI, MimeType.TextSlashMarkdown, next.markdown);
    return shown;
  };
  // During setup only the declaration changes (no round trip): run() registers again after setup when it changed.
  ext.addResource(WIDGET_URI, MimeType.TextSlashMarkdown, current.markdown);

  // Changes made elsewhere (another instance, a direct KV write) reach the widget too.
  const watcher = await kv.watch({
    key: CONTENT_KEY,
    include: KvWatchInclude.UpdatesOnly,
  });
  void (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== "PUT") continue;
      await show(decode(entry)).catch((err: unknown) =>
        ext.log.warn("could not push content to the widget", {
          error: String(err),
        }),
      );
    }
  })();

  const handlers: Handlers = {
    getContent() {
      return GetContent.ok(current);
    },
    async putContent({ body }) {
      const revision = await kv.put(CONTENT_KEY, body.markdown);
      const entry = await kv.get(CONTENT_KEY, { revision });
      const next: Stored = entry
        ? decode(entry)
        : {
            markdown: body.markdown,
            revision,
            updated: new Date().toISOString(),
          };
      await show(next);
      ext.log.info("content replaced", {
        revision,
        bytes: Buffer.byteLength(body.markdown),
      });
      return PutContent.ok(next);
    },
  };
  await register(ext, handlers);
}
