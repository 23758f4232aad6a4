/** Starting extensions in tests: run in the background, wait until ready, stop them all at the end. */
import type { Extension, SetupFn } from "@symphony-codegen/runtime";

export interface Running {
  ext: Extension;
  /** The whole run: settles after the extension stopped. */
  done: Promise<void>;
}

export class Extensions {
  readonly running: Running[] = [];

  /** Runs `ext` with `setup`; resolves once it is connected, set up and registered. */
  async start(ext: Extension, setup: SetupFn = () => {}): Promise<Running> {
    const done = ext.runWithSetup(setup);
    this.running.push({ ext, done });
    await ext.ready();
    return { ext, done };
  }

  async stopAll(): Promise<void> {
    for (const r of this.running) r.ext.stop();
    await Promise.allSettled(this.running.map((r) => r.done));
  }
}

/** What a test file starts besides extensions: a client connection, a dev platform, a nats-server. */
type Closable = { close(): Promise<unknown> } | { stop(): Promise<unknown> } | undefined;

/**
 * An e2e file's `afterAll`: its extensions shut down first (they drain through the server),
 * then the rest in the order given, typically the client connection and the nats-server last.
 */
export async function shutDown(extensions: readonly Extension[], ...rest: Closable[]): Promise<void> {
  await Promise.allSettled(extensions.map((e) => e.shutdown()));
  for (const thing of rest) {
    if (thing) await ("close" in thing ? thing.close() : thing.stop());
  }
}
