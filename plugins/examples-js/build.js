// Builds every example into ../target/js-python/<name>_js.wasm (`npm run build`).

import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "@portico/plugin-sdk/build";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "../target/js-python");
mkdirSync(out, { recursive: true });
for (const name of ["field-validator", "signup-policy", "lifecycle-hooks"]) {
  const file = join(out, `${name.replaceAll("-", "_")}_js.wasm`);
  const started = performance.now();
  const { bytes, interfaces } = await build({ entry: join(here, name, "plugin.js"), out: file });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${file}: ${bytes} bytes, exports ${interfaces.join(", ")} (${seconds} s)`);
}
