import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx,mjs}"],
    environment: "node",
    testTimeout: 20_000,
  },
});
