// Writes a 50-field validator input: the 15 fields of the field validator's sample input
// (one of each type), repeated with numbered markers. `node form-50.js OUT.json [COUNT]`.

import { readFileSync, writeFileSync } from "node:fs";

const [out, count = "50"] = process.argv.slice(2);
const sample = JSON.parse(readFileSync(new URL("../../examples/field-validator/sample-input.json", import.meta.url), "utf8"));
const fields = Array.from({ length: Number(count) }, (_, i) => {
  const field = sample.fields[i % sample.fields.length];
  return { ...field, marker: `${field.marker}_${i + 1}` };
});
writeFileSync(out, JSON.stringify({ settings: {}, fields }, null, 1));
