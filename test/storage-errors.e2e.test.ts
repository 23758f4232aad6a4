/**
 * `openBucket`'s errors say what happened: a bucket the server does not have is `BucketNotFound`;
 * a JetStream API that does not answer in time (a cluster still electing a stream leader after a
 * server died) is `Timeout`, not "does not exist" (test/cluster.e2e.test.ts met that under load).
 * A real nats-server; the silent JetStream API is a subscriber on `$JS.API.>` that never replies.
 */
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BucketNotFound, openBucket, Timeout } from "@symphony-codegen/runtime";
import { startNatsServer, type NatsServer } from "./helpers/nats-server.js";

let withJetStream: NatsServer;
let plain: NatsServer;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  [withJetStream, plain] = await Promise.all([startNatsServer({ jetstream: true }), startNatsServer({ jetstream: false })]);
});
afterAll(async () => {
  for (const nc of connections) await nc.close();
  await Promise.all([withJetStream?.stop(), plain?.stop()]);
});

async function connectTo(server: NatsServer): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  connections.push(nc);
  return nc;
}

describe("openBucket errors", () => {
  it("a bucket the server does not have: BucketNotFound", async () => {
    const nc = await connectTo(withJetStream);
    await expect(openBucket(nc.jetstream({ timeout: 2_000 }), "no_such_bucket")).rejects.toBeInstanceOf(BucketNotFound);
  });

  it("a JetStream API that does not answer: Timeout, naming the bucket", async () => {
    const nc = await connectTo(plain);
    nc.subscribe("$JS.API.>"); // takes every API request, answers none
    await nc.flush();
    const error = await openBucket(nc.jetstream({ timeout: 300 }), "orders").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Timeout);
    expect(error).not.toBeInstanceOf(BucketNotFound);
    expect((error as Error).message).toContain('"orders"');
  });
});
