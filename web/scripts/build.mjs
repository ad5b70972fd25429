// Builds web/dist: the HTML pages at the top level and bundled, minified JS/CSS in assets/.
// Pages load their script as an ES module; code a page imports dynamically (hls.js) goes into a
// chunk of its own, assets/chunk-{hash}.js, fetched only when used.
// URLs mirror this layout: "/" serves index.html, "/watch/{name}" serves watch.html, "/studio"
// serves studio.html and "/assets/{file}" serves assets/{file}.
import { cp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;

await rm(dist, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { index: "src/index.ts", watch: "src/watch.ts", studio: "src/studio.ts", style: "src/style.css" },
  outdir: "dist/assets",
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  chunkNames: "chunk-[hash]",
  target: "es2020",
  logLevel: "warning",
});
await cp(`${root}public`, dist, { recursive: true });
