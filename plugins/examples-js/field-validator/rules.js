// The per-field rules (a field's `settings` JSON) and their checks; the same rules, codes and
// messages as the Rust example (plugins/examples/field-validator). No host calls here, so the
// Node tests run it as is; `now` gives the time for `"now"` date bounds.

import { charCount, entityIdText, fieldSettings, fieldViolation, jsonName, settingsSchema } from "@portico/plugin-sdk";
import { compare, instant, parse } from "./dates.js";

/** A field's validation rules: every key optional, unknown keys refused. */
const RULES = settingsSchema({
  required: "boolean",
  minLength: "uint",
  maxLength: "uint",
  headerMaxLength: "uint",
  pattern: "string",
  min: "number",
  max: "number",
  notBefore: "string",
  notAfter: "string",
  allowedExtensions: "string[]",
  maxSize: "uint",
  options: "array",
  minItems: "uint",
  maxItems: "uint",
});

/** Validates a batch of fields and returns every violation. */
export function validateAll(fields, now) {
  const found = [];
  // One checker for the call, pointed at each field in turn: an object per field costs fuel.
  const check = new Check(now, found);
  for (const field of fields) validateOne(field, check, found);
  return found;
}

function validateOne(field, check, found) {
  if (field.fieldType !== field.value.tag) {
    const message = `declared as ${jsonName(field.fieldType)} but the value is a ${jsonName(field.value.tag)}`;
    found.push(fieldViolation(field, "type_mismatch", message));
    return;
  }
  let rules;
  try {
    rules = fieldSettings(field, RULES);
  } catch (e) {
    found.push(fieldViolation(field, "invalid_settings", e.message));
    return;
  }
  check.field = field;
  check.rules = rules;
  // An empty value only answers to `required`: other rules judge values.
  if (check.presence()) check.value(field.value);
}

const isEmptyText = (s) => s.trim() === "";

// Compiled patterns and parsed date bounds, shared by the fields of a call (a form repeats them;
// an instance serves one call, so nothing outlives it).
const patterns = new Map();
const bounds = new Map();

class Check {
  constructor(now, found) {
    this.field = undefined;
    this.rules = undefined;
    this.now = now;
    this.found = found;
  }

  fail(code, message) {
    this.found.push(fieldViolation(this.field, code, message));
  }

  /** `required`: answers whether the value is non-empty. */
  presence() {
    const { tag, val } = this.field.value;
    let empty;
    switch (tag) {
      case "string": empty = isEmptyText(val); break;
      case "integer": case "float": empty = false; break;
      case "date": case "date-time": case "time": empty = val.fullDate === ""; break;
      case "text": empty = isEmptyText(val.plainValue) && val.htmlValue === "" && val.mdValue === ""; break;
      case "text-with-header": empty = isEmptyText(val.header) && isEmptyText(val.plainValue); break;
      case "radio-button": empty = val.value === ""; break;
      default: empty = val.length === 0; // the list-valued types
    }
    if (empty && this.rules.required) this.fail("required", "a value is required");
    return !empty;
  }

  value({ tag, val }) {
    switch (tag) {
      case "string": return this.text("the value", val);
      case "integer": case "float": return this.number(tag, val);
      case "date": case "date-time": case "time": this.date(() => "the date", val.fullDate); return;
      case "text": return this.text("the text", val.plainValue);
      case "text-with-header":
        this.header(val.header);
        return this.text("the text", val.plainValue);
      case "image": this.items(val.length, 1); return this.files(val);
      case "group-of-images": case "file": this.items(val.length); return this.files(val);
      case "radio-button": return this.options([val.value]);
      case "list": this.items(val.length); return this.options(val.map((c) => c.value));
      case "entity": this.items(val.length); return this.options(val.map(entityIdText));
      case "time-interval": this.items(val.length); return this.intervals(val);
    }
  }

  /** minLength / maxLength / pattern on a text; `what` names it in messages. */
  text(what, text) {
    const { minLength: min, maxLength: max, pattern } = this.rules;
    const chars = min !== undefined || max !== undefined ? charCount(text) : 0;
    if (min !== undefined && chars < min) this.fail("too_short", `${what} must be at least ${min} characters long`);
    if (max !== undefined && chars > max) this.fail("too_long", `${what} must be at most ${max} characters long`);
    if (pattern !== undefined) {
      let re = patterns.get(pattern);
      if (re === undefined) {
        try {
          re = new RegExp(pattern, "u");
        } catch (e) {
          return this.fail("invalid_settings", `bad pattern ${pattern}: ${e.message}`);
        }
        patterns.set(pattern, re);
      }
      if (!re.test(text)) this.fail("pattern_mismatch", `${what} does not match the pattern ${pattern}`);
    }
  }

  /** headerMaxLength on the header of a text-with-header. */
  header(header) {
    const max = this.rules.headerMaxLength;
    if (max !== undefined && charCount(header) > max) {
      this.fail("too_long", `the header must be at most ${max} characters long`);
    }
  }

  /** min / max on a number; NaN and infinities are refused for floats. */
  number(tag, value) {
    if (tag === "float" && !Number.isFinite(value)) {
      return this.fail("not_a_number", "the value must be a finite number");
    }
    const { min, max } = this.rules;
    if (min !== undefined && value < min) this.fail("out_of_range", `${value} is less than the minimum ${min}`);
    if (max !== undefined && value > max) this.fail("out_of_range", `${value} is greater than the maximum ${max}`);
  }

  /** A bound from the settings: an ISO date, date-time, time of day, or `now`. */
  bound(name, text) {
    if (text === undefined) return undefined;
    if (text === "now") return instant(this.now());
    let parsed = bounds.get(text);
    if (parsed === undefined) {
      parsed = parse(text) ?? null;
      bounds.set(text, parsed);
    }
    if (parsed === null) {
      this.fail("invalid_settings", `${name} is not a date: ${text}`);
      return undefined;
    }
    return parsed;
  }

  /** notBefore / notAfter on one date; answers the parsed date. */
  date(what, text) {
    const moment = parse(text);
    if (moment === undefined) {
      this.fail("invalid_date", `${what()} is not an ISO 8601 date: ${text}`);
      return undefined;
    }
    const { notBefore, notAfter } = this.rules;
    const before = this.bound("notBefore", notBefore);
    if (before !== undefined && compare(moment, before) < 0) {
      this.fail("date_out_of_range", `${what()} is before ${notBefore}`);
    }
    const after = this.bound("notAfter", notAfter);
    if (after !== undefined && compare(moment, after) > 0) {
      this.fail("date_out_of_range", `${what()} is after ${notAfter}`);
    }
    return moment;
  }

  /** Each [start, end] pair: valid dates within bounds, start before end. */
  intervals(pairs) {
    pairs.forEach(([start, end], i) => {
      const n = i + 1;
      const a = this.date(() => `the start of interval ${n}`, start);
      const b = this.date(() => `the end of interval ${n}`, end);
      if (a !== undefined && b !== undefined && compare(a, b) >= 0) {
        this.fail("interval_order", `interval ${n} must start before it ends`);
      }
    });
  }

  /** minItems / maxItems on a list value; `defaultMax` applies when maxItems is unset. */
  items(count, defaultMax = undefined) {
    const { minItems } = this.rules;
    const max = this.rules.maxItems ?? defaultMax;
    if (minItems !== undefined && count < minItems) {
      this.fail("too_few_items", `at least ${minItems} items are required, got ${count}`);
    }
    if (max !== undefined && count > max) this.fail("too_many_items", `at most ${max} items are allowed, got ${count}`);
  }

  /** allowedExtensions / maxSize on each file or image. */
  files(files) {
    const { allowedExtensions: allowed, maxSize } = this.rules;
    files.forEach((file, i) => {
      const name = file.filename.slice(file.filename.lastIndexOf("/") + 1);
      if (allowed !== undefined) {
        const dot = name.lastIndexOf(".");
        const ext = dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
        const ok = ext !== "" && allowed.some((a) => a.replace(/^\.+/, "").toLowerCase() === ext);
        if (!ok) {
          this.fail("extension_not_allowed", `file ${i + 1} (${name}): allowed extensions are ${allowed.join(", ")}`);
        }
      }
      if (maxSize !== undefined && file.size > maxSize) {
        this.fail("file_too_large", `file ${i + 1} (${name}) has ${file.size} bytes, more than ${maxSize}`);
      }
    });
  }

  /** options: every chosen value (or entity id) must be one of them. */
  options(values) {
    const { options } = this.rules;
    if (options === undefined) return;
    // Strings without quotes, numbers as written: "1" and 1 both allow the value "1".
    const allowed = options.map((o) => (typeof o === "string" ? o : JSON.stringify(o)));
    for (const value of values) {
      if (!allowed.includes(value)) this.fail("not_an_option", `${value} is not one of the options`);
    }
  }
}
