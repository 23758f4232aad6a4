/**
 * Bounds the reply bytes a service has handed to its NATS connection that the server has not read
 * yet (internal: not exported from index.ts). nats.js queues every publish in memory (its outbound
 * buffer, then the socket's) without limit, so a burst of large replies piled up in the service:
 * 500 concurrent requests for ~1 MiB replies held 455 MB while the server read them at wire speed.
 * Past the high-water mark new requests wait, in arrival order, until a flush round trip (PING/PONG:
 * the server has read everything before it) shows the bytes have left the process.
 */
export class ReplyWindow {
  #pending = 0;
  #flushing = false;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly flush: () => Promise<void>,
    /** Largest number of reply bytes in flight before new requests wait. */
    private readonly highWater: () => number,
  ) {}

  /** Runs `work` now while the window is open; otherwise queues it and resolves once it ran. */
  admit(work: () => void): Promise<void> | undefined {
    if (this.#waiting.length === 0 && this.#pending <= this.highWater()) {
      work();
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(() => (work(), resolve())));
  }

  /** Counts a reply handed to the connection. */
  sent(bytes: number): void {
    this.#pending += bytes;
    // Flushing from half the mark keeps the socket busy while the round trip is under way.
    if (!this.#flushing && this.#pending > this.highWater() / 2) this.#flushOut();
  }

  #flushOut(): void {
    this.#flushing = true;
    const covered = this.#pending;
    this.flush()
      .then(
        () => void (this.#pending -= covered),
        () => void (this.#pending = 0), // closed: nothing is queued any more (replies to queued requests fail and are logged)
      )
      .finally(() => {
        this.#flushing = false;
        while (this.#waiting.length > 0 && this.#pending <= this.highWater()) this.#waiting.shift()!();
        if (!this.#flushing && this.#pending > this.highWater() / 2) this.#flushOut();
      });
  }
}
