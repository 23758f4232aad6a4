/**
 * The service side of bench/runtime.ts, in its own process: `ours` serves the petstore example's
 * generated register() with in-memory handlers (decode + validate + encode, the full runtime);
 * `raw` is a plain `nats` services endpoint that echoes the request payload.
 *
 *   node --import tsx bench/runtime-server.ts <nats-url> ours|raw
 */
import { connect } from "nats";
import { Extension } from "symphony-codegen/runtime";
import { AddPet, FindPets, register, type Handlers } from "../examples/petstore/src/generated/index.js";

const [url, mode] = process.argv.slice(2) as [string, "ours" | "raw"];

const PETS = [
  { id: 1, name: "Rex", tag: "dog" },
  { id: 2, name: "Tom", tag: "cat" },
  { id: 3, name: "Nemo", tag: "fish" },
];

/** In-memory and constant-cost: nothing accumulates over a run. */
const handlers: Handlers = {
  findPets({ query }) {
    const matching = PETS.filter((p) => !query.tags || query.tags.includes(p.tag));
    return FindPets.ok(matching.slice(0, query.limit), { headers: { "X-Total-Count": matching.length } });
  },
  addPet({ body }) {
    return AddPet.created({ ...body, id: 4 });
  },
  findPetById() {
    throw new Error("not benchmarked");
  },
  deletePet() {
    throw new Error("not benchmarked");
  },
};

if (mode === "raw") {
  const nc = await connect({ servers: url });
  const service = await nc.services.add({ name: "raw", version: "1.0.0" });
  const group = service.addGroup("raw.petstore");
  for (const name of ["addPet", "findPets"]) group.addEndpoint(name, { handler: (_err, msg) => msg.respond(msg.data) });
  await nc.flush();
  process.stdout.write("BENCH-READY\n");
  process.once("SIGTERM", () => void service.stop().then(() => nc.close()).then(() => process.exit(0)));
} else {
  const ext = new Extension("Petstore", "petstore").withNatsUrl(url);
  void ext.runWithSetup(async (e) => {
    await register(e, handlers, { validateResponses: false });
    process.stdout.write("BENCH-READY\n");
  });
  process.once("SIGTERM", () => ext.stop());
}
