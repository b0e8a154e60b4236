// Node tests of the SDK's helpers (`npm test`).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  addToGroup, allow, charCount, Denial, entityIdText, eventChanges, FIELD_TYPES, fieldFromJson, fieldSettings,
  fromJsonName, jsonName, lifecycleHooks, notify, parseSettings, setField, SettingsError,
  settingsSchema, signupPolicy, valueFromJson, Veto,
} from "../src/index.js";

test("the 15 field types and their form API names", () => {
  assert.equal(FIELD_TYPES.length, 15);
  for (const t of FIELD_TYPES) assert.equal(fromJsonName(jsonName(t)), t);
  assert.equal(jsonName("date-time"), "dateTime");
  assert.equal(fromJsonName("colour"), undefined);
});

test("every field of the sample input reads", () => {
  const sample = JSON.parse(readFileSync(new URL("../../examples/field-validator/sample-input.json", import.meta.url), "utf8"));
  for (const json of sample.fields) {
    const field = fieldFromJson(json);
    assert.equal(jsonName(field.fieldType), json.type);
    assert.equal(field.value.tag, field.fieldType);
  }
});

test("values keep every part", () => {
  const field = fieldFromJson({ marker: "f", type: "file", settings: { maxItems: 1 }, formIdentifier: "signup", langCode: "en_US",
    value: [{ filename: "a.png", downloadLink: "http://x/a", size: 3, previewLink: "", params: { isImageCompressed: true } }] });
  assert.deepEqual(field, {
    marker: "f", fieldType: "file", settings: '{"maxItems":1}', formIdentifier: "signup", langCode: "en_US",
    value: { tag: "file", val: [{ filename: "a.png", downloadLink: "http://x/a", size: 3, previewLink: undefined, params: '{"isImageCompressed":true}' }] },
  });
  assert.deepEqual(valueFromJson("radio-button", { title: "two", value: 2, extended: { k: "v" } }),
    { tag: "radio-button", val: { title: "two", value: "2", extended: '{"k":"v"}' } });
  assert.deepEqual(valueFromJson("entity", [1, "x-9"]).val.map(entityIdText), ["1", "x-9"]);
  assert.equal(fieldFromJson({ marker: "a", type: "string", value: "", settings: null }).settings, "{}");
});

test("errors name the offending part, as the host's", () => {
  assert.throws(() => fieldFromJson({ marker: "a", type: "integer", value: "x" }), { message: "field.value must be a whole number" });
  assert.throws(() => fieldFromJson({ marker: "a", type: "colour", value: 1 }), /^TypeError: field.type: unknown field type 'colour'/);
  assert.throws(() => fieldFromJson({ type: "string", value: "" }), { message: "field.marker must be a string" });
  assert.throws(() => valueFromJson("image", [{ filename: "a.png" }]), { message: "value[0].size must be a whole number of bytes" });
});

test("characters are counted as Rust counts them", () => {
  assert.equal(charCount("Это я"), 5);
  assert.equal(charCount("😀a"), 2);
});

test("settings: schema, unknown keys, types, required keys, blank text", () => {
  const schema = settingsSchema({ name: "string!", max: "uint", tags: "string[]", nested: { on: "boolean" } });
  assert.deepEqual(parseSettings('{"name":"a","max":3,"nested":{"on":true}}', "s", schema), { name: "a", max: 3, nested: { on: true } });
  assert.throws(() => parseSettings('{"name":"a","mx":3}', "s", schema), { message: "invalid s: unknown field `mx`, expected one of `name`, `max`, `tags`, `nested`" });
  assert.throws(() => parseSettings('{"name":"a","max":-1}', "s", schema), /max must be a whole number >= 0/);
  assert.throws(() => parseSettings('{"name":"a","nested":{"on":1}}', "s", schema), /nested.on must be a boolean/);
  assert.throws(() => parseSettings("{}", "s", schema), /missing field `name`/);
  assert.throws(() => parseSettings("{", "s"), SettingsError);
  assert.deepEqual(parseSettings("  "), {});
  assert.deepEqual(parseSettings('{"name":"a","max":null}', "s", schema), { name: "a" });
  const field = { marker: "age", settings: '{"maxx":1}' };
  assert.throws(() => fieldSettings(field, schema), { message: /^invalid settings of field "age": unknown field `maxx`/ });
});

test("signup answers", () => {
  const d = allow().capTtl(3600).capLiveLinks(2).forbidSigned().claim("k", 1);
  assert.deepEqual({ ...d }, { maxTtlSeconds: 3600, forbidWithSign: true, maxLiveLinks: 2, claims: [["k", "1"]] });
  const policy = signupPolicy({ decide: () => { throw new Denial("no", "not you"); } });
  assert.throws(() => policy.decide({}), (e) => e.code === "no" && e.message === "not you" && !(e instanceof Error));
  assert.equal(policy.decideSelfSignup({}), undefined);
  const buggy = signupPolicy({ decide: () => { throw new TypeError("bug"); } });
  assert.throws(() => buggy.decide({}), TypeError);
});

test("hooks: defaults, vetoes, effects", () => {
  const hooks = lifecycleHooks({ beforeBlock: () => { throw new Veto("vip"); } });
  assert.equal(Object.keys(hooks).length, 12);
  assert.equal(hooks.beforeUpdateUser({}), undefined);
  assert.deepEqual(hooks.afterUpdateUser({}), []);
  const update = lifecycleHooks({ beforeUpdateUser: (e) => { throw new Veto(eventChanges(e).email); } });
  const event = { details: '{"changes": {"email": "b@example.com"}}' };
  assert.throws(() => update.beforeUpdateUser(event), (e) => e.message === "b@example.com");
  assert.equal(eventChanges({ details: "{}" }), null);
  assert.throws(() => hooks.beforeBlock({}), (e) => e.message === "vip" && !(e instanceof Error));
  assert.equal(hooks.beforeUnblock({}), undefined);
  assert.deepEqual(hooks.afterGrantAccess({}), []);
  assert.throws(() => lifecycleHooks({ beforeBlok: () => {} }), /unknown hooks: beforeBlok/);
  assert.deepEqual(addToGroup("g"), { tag: "add-to-group", val: "g" });
  assert.deepEqual(setField("age", 3), { tag: "set-field", val: { marker: "age", value: "3" } });
  assert.deepEqual(notify("email", "welcome", { a: 1 }), { tag: "notify", val: { channel: "email", template: "welcome", data: '{"a":1}' } });
});
