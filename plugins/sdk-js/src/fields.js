// The 15 field types, their values as the component passes them (WIT records with camelCase
// keys, variants as `{tag, val}`), and the helpers a validator needs. Reading the form API's
// JSON (`fieldFromJson`) follows the host's parser, so tests feed plugins what Portico would.

/** WIT case name → the name the form API uses in `"type"`, in WIT order. */
const NAMES = [
  ["string", "string"],
  ["integer", "integer"],
  ["float", "float"],
  ["date", "date"],
  ["date-time", "dateTime"],
  ["time", "time"],
  ["text", "text"],
  ["text-with-header", "textWithHeader"],
  ["image", "image"],
  ["group-of-images", "groupOfImages"],
  ["file", "file"],
  ["radio-button", "radioButton"],
  ["list", "list"],
  ["entity", "entity"],
  ["time-interval", "timeInterval"],
];

/** Every field type (WIT case names, as `field.fieldType` and `value.tag` carry them). */
export const FIELD_TYPES = NAMES.map(([wit]) => wit);

const TO_JSON = new Map(NAMES);
const FROM_JSON = new Map(NAMES.map(([wit, json]) => [json, wit]));

/** The form API's name of a field type, e.g. `dateTime` for `date-time`. */
export function jsonName(fieldType) {
  const name = TO_JSON.get(fieldType);
  if (name === undefined) throw new TypeError(`unknown field type '${fieldType}'`);
  return name;
}

/** The field type the form API calls `name`, or undefined. */
export function fromJsonName(name) {
  return FROM_JSON.get(name);
}

/** A violation of the field `marker`, with a stable `code` and a message. */
export function violation(marker, code, message) {
  return { marker, code, message: String(message) };
}

/** A violation of `field` (its marker). */
export function fieldViolation(field, code, message) {
  return violation(field.marker, code, message);
}

/** An entity id as text, whatever its JSON form. */
export function entityIdText(id) {
  return id.tag === "numeric" ? String(id.val) : id.val;
}

/** The number of characters (code points) of a string, as Rust's `chars().count()`. */
export function charCount(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// ---- The form API's JSON → the component's values (for tests and tools). ----

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function fail(path, what) {
  throw new TypeError(`${path} must be ${what}`);
}

function str(v, path) {
  if (typeof v !== "string") fail(path, "a string");
  return v;
}

/** An optional member: absent or null reads as `dflt`; otherwise it must be a string. */
function optStr(obj, key, path, dflt) {
  const v = obj[key];
  return v === undefined || v === null ? dflt : str(v, `${path}.${key}`);
}

/** JSON kept as text (params, extended): absent or null reads as none. */
function jsonText(v) {
  return v === undefined || v === null ? undefined : JSON.stringify(v);
}

function wholeNumber(v, path, what = "a whole number") {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(path, what);
  return v;
}

function size(v, path) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) fail(path, "a whole number of bytes");
  return v;
}

function date(v, path) {
  if (!isObject(v)) fail(path, "an object");
  return {
    fullDate: str(v.fullDate, `${path}.fullDate`),
    formattedValue: optStr(v, "formattedValue", path, ""),
    formatString: optStr(v, "formatString", path, ""),
  };
}

function text(v, path) {
  if (!isObject(v)) fail(path, "an object");
  return {
    htmlValue: optStr(v, "htmlValue", path, ""),
    plainValue: optStr(v, "plainValue", path, ""),
    mdValue: optStr(v, "mdValue", path, ""),
    params: jsonText(v.params),
  };
}

function files(v, path) {
  if (!Array.isArray(v)) fail(path, "an array");
  return v.map((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f)) fail(p, "an object");
    const preview = optStr(f, "previewLink", p, "");
    return {
      filename: str(f.filename, `${p}.filename`),
      downloadLink: optStr(f, "downloadLink", p, ""),
      size: size(f.size, `${p}.size`),
      previewLink: preview === "" ? undefined : preview,
      params: jsonText(f.params),
    };
  });
}

function choice(v, path) {
  if (!isObject(v)) fail(path, "an object");
  const value = v.value;
  if (typeof value !== "string" && typeof value !== "number") fail(`${path}.value`, "a string or a number");
  return {
    title: optStr(v, "title", path, ""),
    value: String(value),
    extended: jsonText(v.extended),
  };
}

function list(v, path, item) {
  if (!Array.isArray(v)) fail(path, "an array");
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

/** A value of type `fieldType` (WIT name) from the form API's JSON; errors name the part. */
export function valueFromJson(fieldType, v, path = "value") {
  const val = (() => {
    switch (fieldType) {
      case "string": return str(v, path);
      case "integer": return wholeNumber(v, path);
      case "float":
        if (typeof v !== "number") fail(path, "a number");
        return v;
      case "date": case "date-time": case "time": return date(v, path);
      case "text": return text(v, path);
      case "text-with-header": {
        if (!isObject(v)) fail(path, "an object");
        return { header: optStr(v, "header", path, ""), ...text(v, path) };
      }
      case "image": case "group-of-images": case "file": return files(v, path);
      case "radio-button": return choice(v, path);
      case "list": return list(v, path, choice);
      case "entity":
        return list(v, path, (id, p) => {
          if (typeof id === "string") return { tag: "text", val: id };
          if (typeof id !== "number") fail(p, "a number or a string");
          return { tag: "numeric", val: wholeNumber(id, p) };
        });
      case "time-interval":
        return list(v, path, (pair, p) => {
          const ok = Array.isArray(pair) && pair.length === 2 && pair.every((x) => typeof x === "string");
          if (!ok) fail(p, "a [start, end] pair of strings");
          return [pair[0], pair[1]];
        });
      default:
        throw new TypeError(`unknown field type '${fieldType}'`);
    }
  })();
  return { tag: fieldType, val };
}

/** A field from `{"marker", "type", "value", "settings", "formIdentifier", "langCode"}`. */
export function fieldFromJson(v, path = "field") {
  if (!isObject(v)) fail(path, "an object");
  const marker = str(v.marker, `${path}.marker`);
  const name = str(v.type, `${path}.type`);
  const fieldType = fromJsonName(name);
  if (fieldType === undefined) {
    const all = NAMES.map(([, json]) => json).join(", ");
    throw new TypeError(`${path}.type: unknown field type '${name}' (expected one of ${all})`);
  }
  const settings = v.settings === undefined || v.settings === null ? {} : v.settings;
  if (!isObject(settings)) fail(`${path}.settings`, "an object");
  return {
    marker,
    fieldType,
    value: valueFromJson(fieldType, v.value, `${path}.value`),
    settings: JSON.stringify(settings),
    formIdentifier: typeof v.formIdentifier === "string" ? v.formIdentifier : undefined,
    langCode: typeof v.langCode === "string" ? v.langCode : undefined,
  };
}
