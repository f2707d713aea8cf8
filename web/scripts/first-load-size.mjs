// Measures the JavaScript a first visit loads (index.html's module scripts and
// their modulepreloads), gzipped, and fails the build above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET = 250 * 1024;
const dir = "dist/app";
const html = readFileSync(join(dir, "index.html"), "utf8");
const srcs = [
  ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
].map((m) => m[1]);
let total = 0;
for (const src of new Set(srcs)) {
  const size = gzipSync(readFileSync(join(dir, src))).length;
  total += size;
  console.log(`  ${src}  ${(size / 1024).toFixed(1)} kB gzipped`);
}
console.log(`first load: ${(total / 1024).toFixed(1)} kB of JavaScript gzipped (budget ${BUDGET / 1024} kB)`);
if (srcs.length === 0 || total > BUDGET) {
  console.error(srcs.length === 0 ? "no script found in index.html" : "over the first-load budget");
  process.exit(1);
}
