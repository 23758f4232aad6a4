/**
 * The service side of bench/runtime.ts, in its own process: `ours` serves the petstore example's
 * generated register() with in-memory handlers (decode + validate + encode, the full runtime);
 * `raw` is a plain `nats` services endpoint that echoes the request payload; `json` is one that
 * parses the envelope and replies with a JSON-encoded wrapped reply of the same shape as ours, the
 * least any endpoint that reads its request does (a floor for ours, reported beside the targets).
 *
 *   node --import tsx bench/runtime-server.ts <nats-url> ours|raw|json
 */
import { connect } from "nats";
import { Extension } from "@symphony-codegen/runtime";
import { AddPet, FindPets, register, type Handlers } from "../examples/petstore/src/generated/index.js";

const [url, mode] = process.argv.slice(2) as [string, "ours" | "raw" | "json"];

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
    // Not `{ ...body, id: 4 }`: in V8 (Node 20) a key after a spread takes a slow path (~0.5 µs a
    // call, more in a busy process): user code, not the runtime this benchmark measures.
    return AddPet.created({ id: 4, ...body });
  },
  findPetById() {
    throw new Error("not benchmarked");
  },
  deletePet() {
    throw new Error("not benchmarked");
  },
};

const utf8 = new TextDecoder();
/** The envelope parsed, and a reply like ours (status, content type, the body or query echoed) encoded. */
function jsonReply(data: Uint8Array): Uint8Array {
  const envelope = JSON.parse(utf8.decode(data)) as { body?: unknown; query_params?: unknown };
  return Buffer.from(JSON.stringify({ statuscode: 200, contenttype: "application/json", body: envelope.body ?? envelope.query_params }));
}

if (mode === "raw" || mode === "json") {
  const nc = await connect({ servers: url });
  const service = await nc.services.add({ name: mode, version: "1.0.0" });
  const group = service.addGroup(`${mode}.petstore`);
  for (const name of ["addPet", "findPets"]) group.addEndpoint(name, { handler: (_err, msg) => msg.respond(mode === "raw" ? msg.data : jsonReply(msg.data)) });
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
