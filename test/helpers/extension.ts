/** Starting extensions in tests: run in the background, wait until ready, stop them all at the end. */
import type { Extension, SetupFn } from "symphony-codegen/runtime";

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
