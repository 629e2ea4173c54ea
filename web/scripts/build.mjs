// Bundles the client into dist/: index.html, app.css and one app.js (libsodium's WebAssembly is
// inside it). Everything is served by purrd from its own origin; nothing is fetched from elsewhere.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome110", "firefox115", "safari16"],
  minify: true,
  sourcemap: false,
  legalComments: "linked",
  // libsodium.js mentions Node modules it only loads under Node; the browser build never reaches them.
  external: ["fs", "path", "crypto"],
  logLevel: "warning",
});
copyFileSync("static/app.css", "dist/app.css");
copyFileSync("static/favicon.svg", "dist/favicon.svg");
const version = createHash("sha256").update(readFileSync("dist/app.js")).update(readFileSync("dist/app.css")).digest("hex").slice(0, 12);
writeFileSync("dist/index.html", readFileSync("static/index.html", "utf8").replaceAll("__VERSION__", version));
