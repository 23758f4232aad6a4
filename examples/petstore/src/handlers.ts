import {
  AddPet,
  DeletePet,
  FindPetById,
  FindPets,
  type Handlers,
  type components,
} from "./generated/index.js";

type Pet = components["schemas"]["Pet"];

/** An in-memory pet store implementing the generated Handlers interface. */
export function createPetStore(initial: Pet[] = []): Handlers {
  const pets = new Map<number, Pet>(initial.map((p) => [p.id, p]));
  let nextId = Math.max(0, ...pets.keys()) + 1;

  return {
    findPets({ query }) {
      const tags = query.tags;
      const matching = [...pets.values()].filter((p) => !tags || (p.tag !== undefined && tags.includes(p.tag)));
      return FindPets.ok(matching.slice(0, query.limit), { headers: { "X-Total-Count": matching.length } });
    },
    addPet({ body }) {
      const pet: Pet = { ...body, id: nextId++ };
      pets.set(pet.id, pet);
      return AddPet.created(pet);
    },
    findPetById({ path }) {
      const pet = pets.get(path.id);
      return pet ? FindPetById.ok(pet) : FindPetById.notFound({ code: 404, message: `no pet with id ${path.id}` });
    },
    deletePet({ path }) {
      if (!pets.delete(path.id)) return DeletePet.notFound({ code: 404, message: `no pet with id ${path.id}` });
      return DeletePet.noContent();
    },
  };
}
