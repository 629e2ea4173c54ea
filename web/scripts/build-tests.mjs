// Bundles each test/*.test.ts for Node's built-in test runner.
import { build } from "esbuild";
import { readdirSync, rmSync } from "node:fs";

rmSync("dist-tests", { recursive: true, force: true });
await build({
  entryPoints: readdirSync("test").filter(f => f.endsWith(".test.ts")).map(f => `test/${f}`),
  outdir: "dist-tests",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
  banner: { js: "import { createRequire as __purrRequire } from 'node:module'; const require = __purrRequire(import.meta.url);" },
});
