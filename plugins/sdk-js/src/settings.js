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

function check(value, schema, path) {
  if (typeof schema === "string") {
    const kind = schema.endsWith("!") ? schema.slice(0, -1) : schema;
    const test = CHECKS[kind];
    if (!test) throw new TypeError(`unknown settings type '${schema}'`);
    const expected = test(value);
    if (expected) throw new Error(`${path} must be ${expected}, got ${JSON.stringify(value)}`);
    return;
  }
  // A nested schema: an object whose keys are all known.
  if (!isObject(value)) throw new Error(`${path || "settings"} must be an object`);
  const known = Object.keys(schema).map((k) => k);
  for (const key of Object.keys(value)) {
    if (!(key in schema)) {
      const list = known.map((k) => `\`${k}\``).join(", ");
      throw new Error(`unknown field \`${key}\`, expected one of ${list}`);
    }
  }
  for (const [key, type] of Object.entries(schema)) {
    const v = value[key];
    const required = typeof type === "string" && type.endsWith("!");
    // As serde's `Option`: absent or null is "not set".
    if (v === undefined || v === null) {
      if (required) throw new Error(`missing field \`${key}\``);
      continue;
    }
    check(v, type, path ? `${path}.${key}` : key);
  }
}

/**
 * Parses settings JSON (empty text counts as `{}`). With a `schema` (`{key: type}`, types
 * `boolean`, `string`, `number`, `integer`, `uint`, `string[]`, `array`, `object`, `any` or a
 * nested schema; a trailing `!` makes a key required), unknown keys and wrong types are errors.
 * Absent and null keys read as undefined. Throws a `SettingsError`.
 */
export function parseSettings(text, context = "settings", schema = undefined) {
  let value;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (e) {
    throw new SettingsError(context, e.message);
  }
  if (schema !== undefined) {
    try {
      check(value, schema, "");
    } catch (e) {
      throw new SettingsError(context, e.message);
    }
  }
  return value;
}

/** A field's validator settings (`field.settings`), read as `parseSettings` does. */
export function fieldSettings(field, schema = undefined) {
  return parseSettings(field.settings, `settings of field "${field.marker}"`, schema);
}

/** JSON text as a value, or null when it does not parse (profile data, hook details). */
export function jsonOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
