import {
  CreateWidget,
  DeleteWidget,
  Greet,
  HeaderStyles,
  LabelStyles,
  MatrixStyles,
  MeasureShape,
  QueryStyles,
  SimpleStyles,
  SumTree,
  type Handlers,
  type components,
} from "./generated/index.js";

type Tree = components["schemas"]["Tree"];

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

function sum(tree: Tree): number {
  return tree.value + (tree.children ?? []).reduce((total, child) => total + sum(child), 0);
}

/**
 * Handlers for the features example. They echo what the runtime decoded, so a
 * caller can see every parameter after splitting, coercion, validation and defaults.
 */
export function createFeatures(): Handlers {
  let nextId = 1;
  return {
    simpleStyles: ({ path }) => SimpleStyles.ok({ path }),
    labelStyles: ({ path }) => LabelStyles.ok({ path }),
    matrixStyles: ({ path }) => MatrixStyles.ok({ path }),
    queryStyles: ({ query }) => QueryStyles.ok({ query }),
    headerStyles: ({ headers, cookies }) => HeaderStyles.ok({ headers, cookies }),

    createWidget({ body }) {
      if (body.name === "taken") return CreateWidget.conflict({ title: "Conflict", status: 409, detail: `a widget named ${body.name} exists` });
      if (body.name === "broken") return CreateWidget.status(503, { code: 503, message: "widget store unavailable" });
      const id = `00000000-0000-4000-8000-${String(nextId++).padStart(12, "0")}`;
      return CreateWidget.created({ ...body, id }, { headers: { Location: `/widgets/${id}` } });
    },

    deleteWidget({ path }) {
      if (path.id === NIL_UUID) return DeleteWidget.notFound({ title: "Not Found", status: 404, detail: `no widget ${path.id}` });
      return DeleteWidget.noContent();
    },

    measureShape({ body }) {
      const area = body.kind === "circle" ? Math.PI * body.radius ** 2 : body.side ** 2;
      return MeasureShape.ok({ shape: body, area });
    },

    sumTree: ({ body }) => SumTree.ok({ sum: sum(body), tree: body }),

    greet: ({ query }) => Greet.ok(`Hello, ${query.name}!`),
  };
}
