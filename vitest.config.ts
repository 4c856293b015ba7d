import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    globalSetup: ["test/helpers/buildDistIfStale.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Metadata servers default to a closed loopback port, never the link-local addresses; tests point them at fakes.
      GCE_METADATA_HOST: "127.0.0.1:9",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
    },
  },
});
