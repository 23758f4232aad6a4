/**
 * The gateway's discovery as users meet it (`node bin/symphony-codegen.js dev` as a process): a
 * busy service that answers one `$SRV.INFO` round late keeps its routes; a stopped one is dropped.
 * The services are NATS micro services spoken by hand (raw nats.js subscriptions), so the test
 * decides when one is "busy": it holds the answers, as a blocked event loop would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Msg, type NatsConnection, type Subscription } from "nats";
import { killStarted, leftNothing, startDev, until, type LogRecord, type Running } from "./helpers/dev-cli.js";

afterAll(killStarted);

/** A micro service (one instance, one GET endpoint) whose answers the test can hold back. */
class HandMadeService {
  readonly id: string;
  /** While busy, every message (INFO, PING, endpoint requests) waits in `held`. */
  busy = false;
  /** While set, only `$SRV.INFO` answers wait in `held`: the service answers PING and requests, as one whose INFO reply is slow. */
  slowInfo = false;
  readonly held: Msg[] = [];
  #subs: Subscription[] = [];

  constructor(
    readonly nc: NatsConnection,
    readonly prefix: string,
    readonly name = "Busy",
  ) {
    this.id = `${prefix.toUpperCase()}0INSTANCE`;
  }

  get key(): string {
    return `${this.prefix}/${this.name}`;
  }

  info() {
    const endpoint = {
      name: "getThing",
      subject: `cirata.extensions.${this.prefix}.getThing`,
      queue_group: "q",
      metadata: { method: "GET", path: "/thing" },
    };
    return {
      type: "io.nats.micro.v1.info_response",
      name: this.name,
      id: this.id,
      version: "1.0.0",
      description: "",
      metadata: {},
      endpoints: [endpoint],
    };
  }

  async start(): Promise<void> {
    const ping = {
      type: "io.nats.micro.v1.ping_response",
      name: this.name,
      id: this.id,
      version: "1.0.0",
      metadata: {},
    };
    const on = (subject: string, answer: () => unknown, queue?: string) =>
      this.#subs.push(
        this.nc.subscribe(subject, {
          queue,
          callback: (_err, msg) => {
            if (this.busy || (this.slowInfo && msg.subject.startsWith("$SRV.INFO"))) this.held.push(Object.assign(msg, { answer }));
            else msg.respond(JSON.stringify(answer()));
          },
        }),
      );
    for (const verb of ["INFO", "PING"] as const) {
      const answer = verb === "INFO" ? () => this.info() : () => ping;
      for (const subject of [`$SRV.${verb}`, `$SRV.${verb}.${this.name}`, `$SRV.${verb}.${this.name}.${this.id}`]) on(subject, answer);
    }
    on(`cirata.extensions.${this.prefix}.getThing`, () => ({ thing: this.prefix }), "q");
    await this.nc.flush();
  }

  /** Answers everything held (late, as a busy process would) and serves normally again. */
  release(): void {
    this.busy = false;
    for (const msg of this.held.splice(0)) msg.respond(JSON.stringify((msg as Msg & { answer: () => unknown }).answer()));
  }

  /** Unsubscribes everything: the service is gone, not busy. */
  async stop(): Promise<void> {
    for (const s of this.#subs.splice(0)) s.unsubscribe();
    await this.nc.flush();
  }
}

describe("dev: discovery keeps busy services, drops stopped ones", () => {
  let running: Running;
  let nc: NatsConnection;
  const records = (message: string, service: string) =>
    running.dev.records().filter((r: LogRecord) => r.message === message && (r.service === service || (r.services as string[] | undefined)?.includes(service)));
  const thing = (prefix: string) => fetch(`${running.httpUrl}/api/${prefix}/thing`);

  beforeAll(async () => {
    running = await startDev();
    nc = await connect({ servers: running.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    if (running) {
      process.kill(running.dev.pid, "SIGINT");
      expect((await running.dev.exited).code).toBe(130);
      await leftNothing(running.nats);
    }
  });

  it("a service that misses a round (its $SRV.INFO answer held) keeps its routes: no 404 during or after", async () => {
    const busy = new HandMadeService(nc, "busy");
    await busy.start();
    const first = await thing("busy");
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ thing: "busy" });

    busy.busy = true;
    // The next round gets no INFO answer in its window and no PING answer: busy, not gone.
    await until(
      "a round to miss the busy service",
      () => records("service missed a discovery round; still routed", busy.key)[0] ?? records("services gone", busy.key)[0],
      15_000,
    );
    expect(records("services gone", busy.key)).toEqual([]); // before: dropped on the first missed round
    expect(records("service missed a discovery round; still routed", busy.key)[0]).toMatchObject({ level: "warn", missedRounds: 1, dropAfter: 3 });
    // A request meanwhile is routed (before: the route was gone and this was a 404) and waits for the busy service.
    const pending = thing("busy");
    await Promise.race([until("the request to reach the busy service", () => busy.held.some((m) => m.subject.endsWith(".getThing"))), pending]);
    busy.release();
    const during = await pending;
    expect(during.status).toBe(200);
    expect(await during.json()).toEqual({ thing: "busy" });

    await until("the service to answer discovery again", () => records("services answer discovery again", busy.key)[0], 15_000);
    expect(records("services gone", busy.key)).toEqual([]);
    expect((await thing("busy")).status).toBe(200);
    await busy.stop();
  });

  it("a service answering $SRV.PING but never INFO in time stays routed past 3 rounds: the misses do not count", async () => {
    const slow = new HandMadeService(nc, "slowinfo");
    await slow.start();
    expect((await thing("slowinfo")).status).toBe(200);
    slow.slowInfo = true;
    // Before: dropped as "missed 3 discovery rounds in a row" while it answered every request (a 503 in the fuzz run).
    await until(
      "4 rounds to miss the slow service",
      () => records("service missed a discovery round; still routed", slow.key).length >= 4 || undefined,
      30_000,
    );
    const misses = records("service missed a discovery round; still routed", slow.key);
    expect(misses.map((r) => [r.ping, r.missedRounds])).toEqual(misses.map(() => ["answered", 0]));
    expect(records("services gone", slow.key)).toEqual([]);
    const res = await thing("slowinfo");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ thing: "slowinfo" });
    slow.slowInfo = false;
    slow.held.splice(0);
    await slow.stop();
  });

  it("a stopped service (no $SRV.PING responder) is dropped on the round that misses it: 503 'not running'", async () => {
    const stopped = new HandMadeService(nc, "stopping");
    await stopped.start();
    expect((await thing("stopping")).status).toBe(200);
    await stopped.stop();
    const gone = await until("discovery to drop the stopped service", () => records("services gone", stopped.key)[0], 15_000);
    expect((gone.reasons as Record<string, string>)[stopped.key]).toContain("no responders");
    expect(records("service missed a discovery round; still routed", stopped.key)).toEqual([]);
    const res = await thing("stopping");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain(`extension "stopping" is not running`);
  });

  it("a service subscribed but silent is dropped after missing 3 rounds in a row", async () => {
    const silent = new HandMadeService(nc, "silent");
    await silent.start();
    expect((await thing("silent")).status).toBe(200);
    silent.busy = true;
    const gone = await until("discovery to drop the silent service", () => records("services gone", silent.key)[0], 30_000);
    expect((gone.reasons as Record<string, string>)[silent.key]).toBe("missed 3 discovery rounds in a row");
    expect(records("service missed a discovery round; still routed", silent.key).map((r) => [r.ping, r.missedRounds])).toEqual([
      ["silent", 1],
      ["silent", 2],
    ]);
    silent.held.splice(0);
    await silent.stop();
    const res = await thing("silent");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { detail: string }).detail).toContain(`extension "silent" is not running`);
  });
});
