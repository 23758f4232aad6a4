/**
 * `symphony-codegen init <dir>`: a working extension project: an OpenAPI document with a small
 * CRUD API, handlers implementing the generated interface, a test that calls them through the
 * full decode → handler → encode path, scripts for codegen, dev, start and test, and a README.
 * `npm install && npm test` pass in it with no edits; `npm run dev` serves it on the local platform.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { isValidPrefix } from "@symphony-codegen/runtime/internal/sdk/names.js";
import { packageRoot, packageVersion } from "./fingerprint.js";
import { generate } from "./generate.js";

export interface InitOptions {
  /** Extension prefix: the `<prefix>` of `cirata.extensions.<prefix>.*` and of `/api/<prefix>/...`. Default: from the folder name. */
  prefix?: string;
  /** Human-readable extension name. Default: from the folder name. */
  name?: string;
  /** npm spec of the runtime dependency (default: `^<this version>`; a `file:` tarball for local testing). */
  runtime?: string;
  /** npm spec of the generator devDependency (default: `^<this version>`). */
  codegen?: string;
}

export interface InitResult {
  dir: string;
  prefix: string;
  files: string[];
}

/** Turns a folder name into a prefix: lower case letters and digits, starting with a letter. */
export function prefixFromName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9]+/g, "");
  return /^[a-z]/.test(cleaned) ? cleaned : `ext${cleaned}`;
}

function titleFromName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.length ? words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(" ") : "My Extension";
}

export async function initProject(dir: string, options: InitOptions = {}): Promise<InitResult> {
  const target = path.resolve(dir);
  if (existsSync(target) && (await readdir(target)).length > 0) {
    throw new Error(`${dir} exists and is not empty; init writes a new project into an empty or missing folder`);
  }
  const base = path.basename(target);
  const prefix = options.prefix ?? prefixFromName(base);
  if (!isValidPrefix(prefix)) throw new Error(`--prefix ${JSON.stringify(prefix)} is not a valid extension prefix: one NATS subject token of letters, digits, "_" or "-"`);
  const name = options.name ?? titleFromName(base);
  const deps = dependencySpecs();
  const files = templates({
    packageName: base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+/, "") || "extension",
    name,
    prefix,
    runtime: options.runtime ?? deps.runtime,
    codegen: options.codegen ?? deps.codegen,
  });
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(target, file)), { recursive: true });
    await writeFile(path.join(target, file), content);
  }
  // The generated code is part of the project from the start: it type-checks before the first install.
  const result = await generate(path.join(target, "openapi.yaml"), { out: path.join(target, "src/generated") });
  return { dir: target, prefix, files: [...Object.keys(files), ...result.written.map((f) => `src/generated/${f}`)].sort() };
}

/**
 * What the new project depends on: this version from the registry or, when this generator runs
 * from a clone of its repository (the runtime's folder beside it), that clone's two packages as
 * `file:` links, so a project made from a clone installs without a published release.
 */
function dependencySpecs(): { runtime: string; codegen: string } {
  const root = packageRoot();
  if (existsSync(path.join(root, "runtime", "package.json"))) return { runtime: `file:${path.join(root, "runtime")}`, codegen: `file:${root}` };
  return { runtime: `^${packageVersion()}`, codegen: `^${packageVersion()}` };
}

interface TemplateValues {
  packageName: string;
  name: string;
  prefix: string;
  runtime: string;
  codegen: string;
}

function templates(v: TemplateValues): Record<string, string> {
  const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";
  return {
    "package.json": json({
      name: v.packageName,
      version: "0.1.0",
      private: true,
      type: "module",
      engines: { node: ">=20" },
      scripts: {
        codegen: "symphony-codegen generate openapi.yaml --out src/generated",
        dev: "symphony-codegen dev --run \"tsx watch src/main.ts\"",
        build: "tsc -p tsconfig.build.json",
        start: "node dist/main.js",
        test: "symphony-codegen generate openapi.yaml --out src/generated --check --quiet && tsc --noEmit && node --import tsx --test test/*.test.ts",
      },
      dependencies: { "@symphony-codegen/runtime": v.runtime },
      devDependencies: { "@types/node": "^20.19.0", "symphony-codegen": v.codegen, tsx: "^4.20.0", typescript: "^5.9.0" },
    }),
    "tsconfig.json": json({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023"],
        types: ["node"],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ["src", "test"],
    }),
    "tsconfig.build.json": json({ extends: "./tsconfig.json", compilerOptions: { noEmit: false, rootDir: "src", outDir: "dist" }, include: ["src"] }),
    ".gitignore": "node_modules\ndist\n",
    "openapi.yaml": openapi(v),
    "src/handlers.ts": HANDLERS,
    "src/main.ts": main(v),
    "test/handlers.test.ts": TEST,
    "README.md": readme(v),
  };
}

const yamlString = (s: string) => JSON.stringify(s);

function openapi(v: TemplateValues): string {
  return `openapi: 3.1.0
info:
  title: ${yamlString(v.name)}
  version: 0.1.0
  description: A to-do list, served as a Symphony extension.
paths:
  /todos:
    get:
      operationId: listTodos
      summary: List to-dos
      parameters:
        - name: done
          in: query
          description: Only to-dos with this state.
          schema: { type: boolean }
        - name: limit
          in: query
          schema: { type: integer, minimum: 1, maximum: 100, default: 20 }
      responses:
        "200":
          description: The to-dos.
          content:
            application/json:
              schema:
                type: array
                items: { $ref: "#/components/schemas/Todo" }
    post:
      operationId: createTodo
      summary: Create a to-do
      requestBody: { $ref: "#/components/requestBodies/NewTodo" }
      responses:
        "201":
          description: Created.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Todo" }
  /todos/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: { type: integer, minimum: 1 }
    get:
      operationId: getTodo
      summary: Get a to-do
      responses:
        "200":
          description: The to-do.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Todo" }
        "404":
          $ref: "#/components/responses/NotFound"
    put:
      operationId: updateTodo
      summary: Replace a to-do
      requestBody: { $ref: "#/components/requestBodies/NewTodo" }
      responses:
        "200":
          description: Updated.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Todo" }
        "404":
          $ref: "#/components/responses/NotFound"
    delete:
      operationId: deleteTodo
      summary: Delete a to-do
      responses:
        "204":
          description: Deleted.
        "404":
          $ref: "#/components/responses/NotFound"
components:
  requestBodies:
    NewTodo:
      required: true
      content:
        application/json:
          schema: { $ref: "#/components/schemas/NewTodo" }
  responses:
    NotFound:
      description: No such to-do.
      content:
        application/problem+json:
          schema: { $ref: "#/components/schemas/Problem" }
  schemas:
    NewTodo:
      type: object
      required: [title]
      properties:
        title: { type: string, minLength: 1, maxLength: 200 }
        done: { type: boolean, description: "Default: false." }
    Todo:
      type: object
      required: [id, title, done]
      properties:
        id: { type: integer }
        title: { type: string }
        done: { type: boolean }
    Problem:
      type: object
      required: [title, status]
      properties:
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
`;
}

const HANDLERS = `import { CreateTodo, DeleteTodo, GetTodo, ListTodos, UpdateTodo, type components, type Handlers } from "./generated/index.js";

type Todo = components["schemas"]["Todo"];

const notFound = (id: number) => ({ title: "Not Found", status: 404, detail: \`no to-do with id \${id}\` });

/** The API's handlers: requests arrive decoded and validated; responses are built per status. */
export function createHandlers(): Handlers {
  const todos = new Map<number, Todo>();
  let nextId = 1;
  return {
    listTodos({ query }) {
      const all = [...todos.values()].filter((t) => query.done === undefined || t.done === query.done);
      return ListTodos.ok(all.slice(0, query.limit));
    },
    createTodo({ body }) {
      const todo: Todo = { id: nextId++, title: body.title, done: body.done ?? false };
      todos.set(todo.id, todo);
      return CreateTodo.created(todo);
    },
    getTodo({ path }) {
      const todo = todos.get(path.id);
      return todo ? GetTodo.ok(todo) : GetTodo.notFound(notFound(path.id));
    },
    updateTodo({ path, body }) {
      if (!todos.has(path.id)) return UpdateTodo.notFound(notFound(path.id));
      const todo: Todo = { id: path.id, title: body.title, done: body.done ?? false };
      todos.set(path.id, todo);
      return UpdateTodo.ok(todo);
    },
    deleteTodo({ path }) {
      return todos.delete(path.id) ? DeleteTodo.noContent() : DeleteTodo.notFound(notFound(path.id));
    },
  };
}
`;

function main(v: TemplateValues): string {
  return `/**
 * Runs the extension. Credentials come from the environment: SYMPHONY_TOKEN (what
 * \`symphony-codegen dev\` prints and \`npm run dev\` sets), else NATS_URL.
 */
import { Extension, runMain } from "@symphony-codegen/runtime";
import { register } from "./generated/index.js";
import { createHandlers } from "./handlers.js";

const ext = new Extension(${JSON.stringify(v.name)}, ${JSON.stringify(v.prefix)}).withDescription("A to-do list over NATS");

await runMain(() => ext.runWithSetup(async (ext) => {
  await register(ext, createHandlers());
}), ext.log);
`;
}

const TEST = `import assert from "node:assert/strict";
import { test } from "node:test";
import { createLocalClient } from "../src/generated/index.js";
import { createHandlers } from "../src/handlers.js";

// createLocalClient serves the handlers in this process through the same decoding, validation
// and encoding as the running extension: typed requests in, typed responses out, no server.

test("creates, reads, updates and deletes a to-do", async () => {
  const client = createLocalClient(createHandlers());
  const created = await client.createTodo({ body: { title: "Write the first handler" } });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, { id: 1, title: "Write the first handler", done: false });

  const updated = await client.updateTodo({ path: { id: 1 }, body: { title: "Write the first handler", done: true } });
  assert.equal(updated.status, 200);
  const done = await client.listTodos({ query: { done: true } });
  assert.equal(done.status, 200);
  assert.equal(done.status === 200 && done.body.length, 1);

  assert.equal((await client.deleteTodo({ path: { id: 1 } })).status, 204);
  assert.equal((await client.getTodo({ path: { id: 1 } })).status, 404);
});

test("a request that breaks the spec gets a 400 naming the field", async () => {
  const client = createLocalClient(createHandlers());
  const reply = await client.createTodo({ body: { title: "" } });
  assert.equal(reply.status, 400);
  assert.match(JSON.stringify(reply.body), /title/);
});
`;

function readme(v: TemplateValues): string {
  return `# ${v.name}

A Symphony extension (prefix \`${v.prefix}\`) made with \`symphony-codegen init\`.

\`\`\`sh
npm install
npm test        # generated code current, type-check, handler tests
npm run dev     # local Symphony (nats-server, gateway, web page) running this extension
\`\`\`

With \`npm run dev\` running, call the API through the local gateway:

\`\`\`sh
curl -X POST http://127.0.0.1:8080/api/${v.prefix}/todos -H 'content-type: application/json' -d '{"title":"Try it"}'
curl http://127.0.0.1:8080/api/${v.prefix}/todos
\`\`\`

The web page at http://127.0.0.1:8080/ lists the extension and its API reference.

## Files

| file | what |
|---|---|
| \`openapi.yaml\` | the API: edit it, then \`npm run codegen\` |
| \`src/generated/\` | generated from \`openapi.yaml\` (types, decoders, response builders, \`register\`, typed client); do not edit |
| \`src/handlers.ts\` | your handlers: one method per operation, checked by the compiler against \`Handlers\` |
| \`src/main.ts\` | the program: connects, registers the service, serves until Ctrl-C |
| \`test/handlers.test.ts\` | handler tests through \`createLocalClient\` (full decode → handler → encode path, no server) |

In production, \`npm run build && npm start\` with \`SYMPHONY_TOKEN\` set to the platform's token
(or \`NATS_URL\` for a bare NATS server); \`npm install --omit=dev\` installs only the runtime.
`;
}
