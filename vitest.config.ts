import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Compilation-heavy suites share two cores; keep files in parallel but bounded.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
