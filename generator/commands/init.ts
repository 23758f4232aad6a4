/** `symphony-codegen init <dir>`: a new extension project (generator/init.ts). */
import type { Command } from "commander";

export function addInitCommand(program: Command): void {
  program
    .command("init")
    .description("Write a new extension project: openapi.yaml, handlers, a test, scripts for codegen, dev, start and test")
    .argument("<dir>", "folder to create (empty or missing)")
    .option("--prefix <prefix>", "extension prefix (cirata.extensions.<prefix>, /api/<prefix>/...); default: from the folder name")
    .option("--name <name>", "extension name; default: from the folder name")
    .option("--runtime <spec>", "npm spec for @symphony-codegen/runtime (default: this version)")
    .option("--codegen <spec>", "npm spec for symphony-codegen (default: this version)")
    .action(
      async (
        dir: string,
        opts: {
          prefix?: string;
          name?: string;
          runtime?: string;
          codegen?: string;
        },
      ) => {
        const { initProject } = await import("../init.js");
        const result = await initProject(dir, opts);
        process.stdout.write(
          [
            `Created ${dir} (prefix ${result.prefix}): ${result.files.length} files`,
            ``,
            `  cd ${dir}`,
            `  npm install`,
            `  npm test        # generated code current, type-check, handler tests`,
            `  npm run dev     # local Symphony with this extension; then: curl http://127.0.0.1:8080/api/${result.prefix}/todos`,
            ``,
          ].join("\n"),
        );
      },
    );
}
