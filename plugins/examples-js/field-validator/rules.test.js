// Node tests of the validator's logic (`npm test`), the Rust example's cases: fields in the
// form API's JSON shape, read by the SDK as the host reads them.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fieldFromJson } from "@portico/plugin-sdk";
import { validateAll } from "./rules.js";
import { parse } from "./dates.js";

const NOW = 1_735_689_600_000; // 2025-01-01T00:00:00Z
const codes = (json) => validateAll([fieldFromJson(json)], () => NOW).map((v) => v.code);
const file = (name, size) => ({ filename: `files/${name}`, downloadLink: "http://x/f", size, previewLink: "" });

test("strings: lengths and patterns", () => {
  const settings = { minLength: 2, maxLength: 5, pattern: "^[a-z]+$" };
  assert.deepEqual(codes({ marker: "a", type: "string", value: "abc", settings }), []);
  assert.deepEqual(codes({ marker: "a", type: "string", value: "a", settings }), ["too_short"]);
  assert.deepEqual(codes({ marker: "a", type: "string", value: "ABCDEF", settings }), ["too_long", "pattern_mismatch"]);
  assert.deepEqual(codes({ marker: "a", type: "string", value: " ", settings: { required: true } }), ["required"]);
  // Characters, not UTF-16 units: an emoji is one.
  assert.deepEqual(codes({ marker: "a", type: "string", value: "😀😀", settings: { maxLength: 2 } }), []);
});

test("numbers: ranges", () => {
  const settings = { min: 1, max: 10 };
  assert.deepEqual(codes({ marker: "n", type: "integer", value: 10, settings }), []);
  assert.deepEqual(codes({ marker: "n", type: "integer", value: 11, settings }), ["out_of_range"]);
  assert.deepEqual(codes({ marker: "x", type: "float", value: 0.5, settings }), ["out_of_range"]);
  assert.deepEqual(codes({ marker: "x", type: "float", value: 1.5, settings: { max: 1.5 } }), []);
});

test("dates: bounds and now", () => {
  const date = (fullDate) => ({ fullDate, formattedValue: "", formatString: "" });
  const settings = { notBefore: "2024-01-01", notAfter: "now" };
  for (const type of ["date", "dateTime", "time"]) {
    assert.deepEqual(codes({ marker: "d", type, value: date("2024-05-07T21:02:00.000Z"), settings }), [], type);
  }
  assert.deepEqual(codes({ marker: "d", type: "date", value: date("2023-12-31"), settings }), ["date_out_of_range"]);
  assert.deepEqual(codes({ marker: "d", type: "date", value: date("2030-01-01"), settings }), ["date_out_of_range"]);
  assert.deepEqual(codes({ marker: "d", type: "date", value: date("07.05.2024") }), ["invalid_date"]);
  const hours = { notBefore: "09:00", notAfter: "17:00" };
  const late = { marker: "t", type: "time", value: date("2024-05-07T21:02:00Z"), settings: hours };
  assert.deepEqual(codes(late), ["date_out_of_range"]);
});

test("dates: the grammar of the Rust example", () => {
  assert.deepEqual(parse("1970-01-02"), { instant: 86_400_000 });
  assert.deepEqual(parse("2024-05-07T21:02:00.000Z"), { instant: 1_715_115_720_000 });
  assert.deepEqual(parse("2024-05-08T00:02:00+03:00"), parse("2024-05-07T21:02:00Z"));
  assert.deepEqual(parse("09:30"), { timeOfDay: 34_200_000 });
  for (const bad of ["", "2024-13-01", "2023-02-29", "2024-05-07T25:00", "yesterday", "2024-05-07X"]) {
    assert.equal(parse(bad), undefined, bad);
  }
});

test("texts use the plain value and the header", () => {
  const text = { htmlValue: "<p>Hi</p>", plainValue: "Hi", mdValue: "*Hi*", params: { editorMode: "html" } };
  assert.deepEqual(codes({ marker: "t", type: "text", value: text, settings: { minLength: 3 } }), ["too_short"]);
  const withHeader = { header: "A long header", plainValue: "Hi" };
  const settings = { headerMaxLength: 5, maxLength: 5 };
  assert.deepEqual(codes({ marker: "t", type: "textWithHeader", value: withHeader, settings }), ["too_long"]);
});

test("files and images", () => {
  const settings = { allowedExtensions: ["png", ".JPG"], maxSize: 1000 };
  assert.deepEqual(codes({ marker: "f", type: "file", value: [file("a.png", 10), file("b.jpg", 1000)], settings }), []);
  const bad = { marker: "f", type: "file", value: [file("a.exe", 10), file("b.png", 1001)], settings };
  assert.deepEqual(codes(bad), ["extension_not_allowed", "file_too_large"]);
  assert.deepEqual(codes({ marker: "i", type: "image", value: [file("a.png", 1), file("b.png", 1)] }), ["too_many_items"]);
  const group = { marker: "g", type: "groupOfImages", value: [file("a.png", 1), file("b.png", 1)], settings: { maxItems: 2 } };
  assert.deepEqual(codes(group), []);
});

test("choices and entities", () => {
  const red = { title: "red", value: "1", extended: { value: "красный", type: "string" } };
  const blue = { title: "blue", value: "3" };
  const settings = { options: ["1", 2], maxItems: 1 };
  assert.deepEqual(codes({ marker: "r", type: "radioButton", value: red, settings }), []);
  assert.deepEqual(codes({ marker: "r", type: "radioButton", value: blue, settings }), ["not_an_option"]);
  assert.deepEqual(codes({ marker: "l", type: "list", value: [red, blue], settings }), ["too_many_items", "not_an_option"]);
  const ids = { options: [1, 2, "x-9"] };
  assert.deepEqual(codes({ marker: "e", type: "entity", value: [1, 2], settings: ids }), []);
  assert.deepEqual(codes({ marker: "e", type: "entity", value: [3, "x-9"], settings: ids }), ["not_an_option"]);
});

test("time intervals: order", () => {
  const ok = [["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]];
  assert.deepEqual(codes({ marker: "i", type: "timeInterval", value: ok }), []);
  const reversed = [["2025-02-13T16:00:00.000Z", "2025-02-11T16:00:00.000Z"]];
  assert.deepEqual(codes({ marker: "i", type: "timeInterval", value: reversed }), ["interval_order"]);
});

test("bad settings and a type mismatch are violations", () => {
  assert.deepEqual(codes({ marker: "a", type: "string", value: "x", settings: { maxLen: 1 } }), ["invalid_settings"]);
  assert.deepEqual(codes({ marker: "a", type: "string", value: "x", settings: { pattern: "(" } }), ["invalid_settings"]);
  assert.deepEqual(codes({ marker: "a", type: "string", value: "x", settings: { minLength: "3" } }), ["invalid_settings"]);
  const field = fieldFromJson({ marker: "a", type: "string", value: "x" });
  field.fieldType = "integer";
  const [found] = validateAll([field], () => NOW);
  assert.equal(found.code, "type_mismatch");
  assert.equal(found.marker, "a");
});

test("one batch returns every violation", () => {
  const fields = ["a", "b", "c"].map((marker) =>
    fieldFromJson({ marker, type: "string", value: "", settings: { required: true } }));
  assert.deepEqual(validateAll(fields, () => NOW).map((v) => v.marker), ["a", "b", "c"]);
});

test("the sample input finds the documented violations", () => {
  const sample = new URL("../../examples/field-validator/sample-input.json", import.meta.url);
  const input = JSON.parse(readFileSync(sample, "utf8"));
  const fields = input.fields.map((f) => fieldFromJson(f));
  assert.equal(fields.length, 15);
  assert.deepEqual(validateAll(fields, () => NOW).map((v) => [v.marker, v.code]), [
    ["nickname", "too_short"],
    ["age", "out_of_range"],
    ["meeting", "date_out_of_range"],
    ["bio", "too_long"],
    ["gallery", "extension_not_allowed"],
    ["picture", "file_too_large"],
    ["colors", "not_an_option"],
    ["interval", "interval_order"],
  ]);
});

test("dates: edges of the grammar", () => {
  assert.deepEqual(parse("2024-05-07T21:02:00.5Z"), { instant: 1_715_115_720_500 });
  assert.deepEqual(parse("2024-05-07T21:02:00.1234Z"), { instant: 1_715_115_720_123 });
  assert.deepEqual(parse("2024-05-07T21:02+05"), parse("2024-05-07T16:02Z"));
  assert.deepEqual(parse(" 2024-05-07 21:02 "), parse("2024-05-07T21:02:00Z"));
  for (const bad of ["2024-05-07T21:02:00.12aZ", "2024-05-07T21:02Zx", "2024-05-07T21:02+05:30:00", "2024-05-07T21", "12:30:", "1-0:00", "2024-5-07"]) {
    assert.equal(parse(bad), undefined, bad);
  }
});

test("a null setting is no setting", () => {
  assert.deepEqual(codes({ marker: "a", type: "string", value: "", settings: { minLength: null, pattern: null } }), []);
});

test("dates: years before 100 and leap days", () => {
  assert.deepEqual(parse("0050-03-01"), { instant: -60_584_198_400_000 });
  assert.deepEqual(parse("2024-02-29"), { instant: 1_709_164_800_000 });
  assert.equal(parse("2100-02-29"), undefined);
});
