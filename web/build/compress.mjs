// Writes a Brotli (.br) and a gzip (.gz) copy beside each built asset, so that
// `scout serve` sends the smallest encoding a browser accepts without
// compressing anything per request (tower-http's ServeDir picks the copy).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const dir = new URL("../dist/assets/", import.meta.url).pathname;
let before = 0;
let after = 0;
for (const name of readdirSync(dir)) {
  if (!/\.(js|css|svg|json|html|txt)$/.test(name)) continue;
  const file = join(dir, name);
  const raw = readFileSync(file);
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
  before += statSync(file).size;
  after += br.length;
}
console.log(`compressed assets: ${before} bytes, ${after} as Brotli`);
