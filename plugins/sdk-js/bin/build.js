#!/usr/bin/env node
// portico-plugin-build: turns a plugin's JavaScript into a Portico component.
//
//   portico-plugin-build plugin.js -o plugin.wasm [--wit DIR] [--engine quickjs|starlingmonkey]
//
// 1. Bundles the entry module with this SDK into one ES module (rolldown), keeping the
//    component's imports (`portico:*`, `wasi:*`) external.
// 2. Reads which interfaces it exports (`fieldValidator`, `signupPolicy`, `lifecycleHooks`) and
//    writes a WIT world that exports exactly those and imports only `host`.
// 3. Componentizes it. The default engine is QuickJS (componentize-qjs, non-async ABI, the JS
//    state snapshotted at build time, every WASI import replaced by a trap stub: Portico offers
//    no clocks or files, and the upload must not ask for them). `starlingmonkey` uses
//    componentize-js (SpiderMonkey) with its WASI features disabled; kept for comparison: it is
//    about 8x larger and 10x slower per call (MEASUREMENTS.md). It is not installed by default:
//    `npm install --no-save @bytecodealliance/componentize-js@0.23.0 @bytecodealliance/preview2-shim@0.17.9`.

import { copyFileSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The WIT package the SDK builds against, vendored into the package (`wit/`, a copy of the
// repository's `wit/0.2.0`; `test/wit.test.js` checks that they are equal).
export const DEFAULT_WIT = resolve(SDK, "wit");

/** Export name in the JS module → the Portico interface it implements. */
const INTERFACES = {
  fieldValidator: "field-validator",
  signupPolicy: "signup-policy",
  lifecycleHooks: "lifecycle-hooks",
};

/** The optional install of the SpiderMonkey engine (for measurements only). */
const STARLINGMONKEY =
  "npm install --no-save @bytecodealliance/componentize-js@0.23.0 @bytecodealliance/preview2-shim@0.17.9";

const USAGE = `usage: portico-plugin-build ENTRY.js -o OUT.wasm [--wit DIR] [--engine quickjs|starlingmonkey]
       [--minify] [--opt-size] [--disable-gc] (the last two: QuickJS only)`;

async function bundle(entry, minify) {
  const { rolldown } = await import("rolldown");
  const build = await rolldown({
    input: entry,
    external: [/^portico:/, /^wasi:/],
    resolve: {
      alias: {
        "@portico/plugin-sdk/host": join(SDK, "src/host.js"),
        "@portico/plugin-sdk": join(SDK, "src/index.js"),
      },
    },
    logLevel: "warn",
  });
  const { output } = await build.generate({ format: "esm", minify });
  await build.close();
  return { code: output[0].code, exports: output[0].exports };
}

/** A copy of the WIT package plus a world exporting exactly `interfaces`. */
function witWithWorld(witDir, interfaces) {
  const dir = mkdtempSync(join(tmpdir(), "portico-wit-"));
  for (const name of readdirSync(witDir).filter((n) => n.endsWith(".wit"))) {
    copyFileSync(join(witDir, name), join(dir, name));
  }
  const exports = interfaces.map((i) => `    export ${i};\n`).join("");
  writeFileSync(
    join(dir, "zz-js-plugin.wit"),
    `package portico:plugin@0.2.0;\n\nworld js-plugin {\n    import host;\n${exports}}\n`,
  );
  return dir;
}

async function componentize(engine, code, witDir, { optSize = false, disableGc = false } = {}) {
  if (engine === "quickjs") {
    const { componentize } = await import("componentize-qjs");
    const out = await componentize({
      witPath: witDir, jsSource: code, world: "js-plugin", stubWasi: true, sync: true, optSize, disableGc,
    });
    return out.component;
  }
  if (engine === "starlingmonkey") {
    const { componentize } = await import("@bytecodealliance/componentize-js").catch(() => {
      throw new Error(`--engine starlingmonkey needs ${STARLINGMONKEY}`);
    });
    const out = await componentize(code, {
      witPath: witDir,
      worldName: "js-plugin",
      disableFeatures: ["stdio", "random", "clocks", "http", "fetch-event"],
    });
    return out.component;
  }
  throw new Error(`unknown engine '${engine}' (quickjs or starlingmonkey)`);
}

export async function build({ entry, out, wit = DEFAULT_WIT, engine = "quickjs", minify = false, ...options }) {
  const { code, exports } = await bundle(resolve(entry), minify);
  const unknown = exports.filter((e) => !(e in INTERFACES));
  if (unknown.length) {
    throw new Error(`${entry} exports ${unknown.join(", ")}: a plugin exports only ${Object.keys(INTERFACES).join(", ")}`);
  }
  if (exports.length === 0) {
    throw new Error(`${entry} exports no interface: export one of ${Object.keys(INTERFACES).join(", ")}`);
  }
  const witDir = witWithWorld(resolve(wit), exports.map((e) => INTERFACES[e]));
  try {
    const component = await componentize(engine, code, witDir, options);
    writeFileSync(out, component);
    return { interfaces: exports.map((e) => INTERFACES[e]), bytes: component.length };
  } finally {
    rmSync(witDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: "string", short: "o" },
      wit: { type: "string" },
      engine: { type: "string", default: "quickjs" },
      minify: { type: "boolean", default: false },
      "opt-size": { type: "boolean", default: false },
      "disable-gc": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length !== 1 || !values.out) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  await readFile(positionals[0]); // a missing entry fails here, with its path
  const started = performance.now();
  const { interfaces, bytes } = await build({
    entry: positionals[0],
    ...values,
    optSize: values["opt-size"],
    disableGc: values["disable-gc"],
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`${values.out}: ${bytes} bytes, exports ${interfaces.join(", ")} (${values.engine}, ${seconds} s)`);
}

// Run as a command: directly, or through the `node_modules/.bin` link npm makes (resolved).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`portico-plugin-build: ${e.message}`);
    process.exit(1);
  });
}
