/**
 * createLocalClient: the generated typed client served by handlers in-process, through the same
 * decode → handler → encode path as NATS (what `init`'s project tests its handlers with).
 */
import { describe, expect, it } from "vitest";
import {
  createLocalClient,
  FindPets,
  type Handlers,
} from "../examples/petstore/src/generated/index.js";
import { createPetStore } from "../examples/petstore/src/handlers.js";

describe("createLocalClient", () => {
  it("decodes typed requests and returns typed responses", async () => {
    const client = createLocalClient(
      createPetStore([{ id: 1, name: "Rex", tag: "dog" }]),
    );
    const created = await client.addPet({ body: { name: "Tom", tag: "cat" } });
    expect(created).toMatchObject({
      status: 201,
      body: { id: 2, name: "Tom", tag: "cat" },
    });
    const list = await client.findPets({ query: { tags: ["cat"], limit: 5 } });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ id: 2, name: "Tom", tag: "cat" }]);
    expect(list.headers).toMatchObject({ "X-Total-Count": "1" });
    expect((await client.findPetById({ path: { id: 9 } })).status).toBe(404);
  });

  it("answers a malformed request with a 400 problem naming the field, like the service does", async () => {
    const client = createLocalClient(createPetStore());
    const reply = await client.addPet({ body: { tag: "cat" } as never });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain("name");
  });

  it("turns a throwing handler into a 500 and a body that breaks the spec into a 500 (response validation on by default)", async () => {
    const store = createPetStore();
    const throwing: Handlers = {
      ...store,
      findPets: () => {
        throw new Error("database down");
      },
    };
    expect((await createLocalClient(throwing).findPets()).status).toBe(500);
    const wrongBody: Handlers = {
      ...store,
      findPets: () => FindPets.ok([{ id: "one" } as never]),
    };
    expect((await createLocalClient(wrongBody).findPets()).status).toBe(500);
    expect(
      (
        await createLocalClient(wrongBody, {
          validateResponses: false,
        }).findPets()
      ).status,
    ).toBe(200);
  });
});
