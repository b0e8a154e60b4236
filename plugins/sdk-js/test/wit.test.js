// The WIT package vendored into the SDK (`wit/`) is the repository's `wit/0.2.0`, byte for
// byte: the SDK builds against its own copy so that it works outside the checkout, and this test
// (run by `npm test` and plugins/build-js-python) catches the copy drifting from the source.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_WIT } from "../bin/build.js";

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VENDORED = join(SDK, "wit");
const SOURCE = resolve(SDK, "../../wit/0.2.0");

const witFiles = (dir) => readdirSync(dir).filter((n) => n.endsWith(".wit")).sort();

test("the build reads the WIT vendored in the package", () => {
  assert.equal(DEFAULT_WIT, VENDORED);
  assert.ok(witFiles(VENDORED).includes("worlds.wit"), "wit/worlds.wit is missing");
});

test("the vendored WIT equals the repository's wit/0.2.0 byte for byte", (t) => {
  if (!existsSync(SOURCE)) {
    t.skip(`${SOURCE} not found: outside the Portico checkout there is nothing to compare`);
    return;
  }
  assert.deepEqual(witFiles(VENDORED), witFiles(SOURCE), "the same files (copy wit/0.2.0/*.wit into wit/)");
  for (const name of witFiles(SOURCE)) {
    assert.ok(
      readFileSync(join(VENDORED, name)).equals(readFileSync(join(SOURCE, name))),
      `wit/${name} differs from wit/0.2.0/${name}: copy it again (cp ../../wit/0.2.0/*.wit wit/)`,
    );
  }
});
