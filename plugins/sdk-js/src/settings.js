// Settings arrive as JSON text: the binding's (from the host) and each field's (in `field.settings`).
// `parseSettings` reads them against a small schema so that, as in the Rust SDK, a typo or a
// wrong type is an error instead of a silently ignored rule.

/** Settings JSON that could not be read; `message` is `invalid <context>: <reason>`. */
export class SettingsError extends Error {
  constructor(context, reason) {
    super(`invalid ${context}: ${reason}`);
    this.name = "SettingsError";
    this.context = context;
    this.reason = reason;
  }
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// Each check answers what was expected, or undefined when `v` fits.
const CHECKS = {
  any: () => undefined,
  boolean: (v) => (typeof v === "boolean" ? undefined : "a boolean"),
  string: (v) => (typeof v === "string" ? undefined : "a string"),
  number: (v) => (typeof v === "number" ? undefined : "a number"),
  integer: (v) => (Number.isInteger(v) ? undefined : "a whole number"),
  uint: (v) => (Number.isInteger(v) && v >= 0 ? undefined : "a whole number >= 0"),
  object: (v) => (isObject(v) ? undefined : "an object"),
  array: (v) => (Array.isArray(v) ? undefined : "an array"),
  "string[]": (v) =>
    Array.isArray(v) && v.every((s) => typeof s === "string") ? undefined : "an array of strings",
};

// The commonest leaf types, checked inline by number: a call per key costs more than the check.
const FAST = { string: 1, number: 2, uint: 3, boolean: 4 };

// A schema compiled once per schema object (module-level schemas are compiled at build time, in
// the snapshot): a check per key and the required keys, so that reading settings costs work in
// proportion to the keys present, not to the keys known. Under fuel, that is most of its cost.
const compiled = new WeakMap();

function compile(schema) {
  let c = compiled.get(schema);
  if (c) return c;
  if (typeof schema === "string") {
    const kind = schema.endsWith("!") ? schema.slice(0, -1) : schema;
    const test = CHECKS[kind];
    if (!test) throw new TypeError(`unknown settings type '${schema}'`);
    c = { test };
  } else {
    const keys = new Map();
    const required = [];
    for (const [key, type] of Object.entries(schema)) {
      const kind = typeof type === "string" ? type.replace(/!$/, "") : "";
      keys.set(key, typeof type === "string" ? { test: compileKind(type), fast: FAST[kind] ?? 0 } : compile(type));
      if (typeof type === "string" && type.endsWith("!")) required.push(key);
    }
    const names = [...keys.keys()].map((k) => `\`${k}\``);
    // Worded as serde's, which the Rust examples' messages come from.
    c = { keys, required, known: names.length === 1 ? names[0] : `one of ${names.join(", ")}` };
  }
  if (typeof schema !== "string") compiled.set(schema, c);
  return c;
}

function compileKind(type) {
  const test = CHECKS[type.endsWith("!") ? type.slice(0, -1) : type];
  if (!test) throw new TypeError(`unknown settings type '${type}'`);
  return test;
}

function check(value, c, path) {
  if (c.test) {
    const expected = c.test(value);
    if (expected) throw new Error(`${path} must be ${expected}, got ${JSON.stringify(value)}`);
    return;
  }
  if (!isObject(value)) throw new Error(`${path || "settings"} must be an object`);
  for (const key in value) {
    const k = c.keys.get(key);
    if (k === undefined) throw new Error(`unknown field \`${key}\`, expected ${c.known}`);
    const v = value[key];
    // As serde's `Option`: null is "not set", read as absent.
    if (v === null) {
      delete value[key];
      continue;
    }
    // Leaves are checked here rather than by a call: under fuel, calls are dear. A value that
    // fails (or a nested schema) goes to `check`, which names the error or recurses.
    const fast = k.fast;
    const fits = fast === 1 ? typeof v === "string"
      : fast === 2 ? typeof v === "number"
      : fast === 3 ? typeof v === "number" && v % 1 === 0 && v >= 0
      : fast === 4 ? typeof v === "boolean"
      : k.test !== undefined && k.test(v) === undefined;
    if (!fits) check(v, k, path ? `${path}.${key}` : key);
  }
  for (let i = 0; i < c.required.length; i++) {
    const key = c.required[i];
    if (value[key] === undefined || value[key] === null) throw new Error(`missing field \`${key}\``);
  }
}

/** Compiles `schema` now (at module load, so into the build's snapshot) and returns it. */
export function settingsSchema(schema) {
  compile(schema);
  return schema;
}

/**
 * Parses settings JSON (empty text counts as `{}`). With a `schema` (`{key: type}`, types
 * `boolean`, `string`, `number`, `integer`, `uint`, `string[]`, `array`, `object`, `any` or a
 * nested schema; a trailing `!` makes a key required), unknown keys and wrong types are errors.
 * Absent and null keys read as undefined. Throws a `SettingsError`.
 */
export function parseSettings(text, context = "settings", schema = undefined) {
  return parse(text, context, undefined, schema);
}

// The text naming the settings is only built for an error: `settings of field "<marker>"` when
// a marker is given, else `context`.
const named = (context, marker) => (marker === undefined ? context : `settings of field "${marker}"`);

function parse(text, context, marker, schema) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Empty (or blank) text counts as `{}`.
    if (text.trim() !== "") throw new SettingsError(named(context, marker), e.message);
    value = {};
  }
  if (schema !== undefined) {
    try {
      check(value, compile(schema), "");
    } catch (e) {
      throw new SettingsError(named(context, marker), e.message);
    }
  }
  return value;
}

/** A field's validator settings (`field.settings`), read as `parseSettings` does. */
export function fieldSettings(field, schema = undefined) {
  return parse(field.settings, undefined, field.marker, schema);
}

/** JSON text as a value, or null when it does not parse (profile data, hook details). */
export function jsonOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
