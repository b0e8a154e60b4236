"""The per-field rules (a field's `settings` JSON) and their checks; the same rules, codes and
messages as the Rust example (plugins/examples/field-validator). No host calls here, so the
native tests run it as is; `now` gives the time for `"now"` date bounds."""

import json
import re

from portico_plugin import entity_id_text, field_settings, field_violation, json_name, value_type
from wit_world.imports.types import FieldType as T

import dates

RULES = {
    "required": "boolean", "minLength": "uint", "maxLength": "uint", "headerMaxLength": "uint",
    "pattern": "string", "min": "number", "max": "number", "notBefore": "string", "notAfter": "string",
    "allowedExtensions": "string[]", "maxSize": "uint", "options": "array", "minItems": "uint",
    "maxItems": "uint",
}
_DATES = (T.DATE, T.DATE_TIME, T.TIME)
# Compiled patterns and parsed date bounds, shared by the fields of a call (a form repeats
# them; an instance serves one call, so nothing outlives it).
_patterns: dict = {}
_bounds: dict = {}
_FILES = (T.IMAGE, T.GROUP_OF_IMAGES, T.FILE)


def validate_all(fields, now):
    """Validates a batch of fields and returns every violation."""
    found = []
    for field in fields:
        _validate_one(field, now, found)
    return found


def _validate_one(field, now, found):
    actual = value_type(field.value)
    if field.field_type != actual:
        message = f"declared as {json_name(field.field_type)} but the value is a {json_name(actual)}"
        found.append(field_violation(field, "type_mismatch", message))
        return
    try:
        rules = field_settings(field, RULES)
    except ValueError as e:
        found.append(field_violation(field, "invalid_settings", str(e)))
        return
    check = _Check(field, rules, now, found)
    # An empty value only answers to `required`: other rules judge values.
    if check.presence():
        check.value(actual, field.value.value)


def _shown(x):
    """A number as the Rust example writes it (`4.5`, `5`)."""
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


class _Check:
    def __init__(self, field, rules, now, found):
        self.field, self.rules, self.now, self.found = field, rules, now, found

    def fail(self, code, message):
        self.found.append(field_violation(self.field, code, message))

    def presence(self):
        t, v = self.field.field_type, self.field.value.value
        if t == T.STRING:
            empty = not v.strip()
        elif t in (T.INTEGER, T.FLOAT):
            empty = False
        elif t in _DATES:
            empty = v.full_date == ""
        elif t == T.TEXT:
            empty = not v.plain_value.strip() and v.html_value == "" and v.md_value == ""
        elif t == T.TEXT_WITH_HEADER:
            empty = not v.header.strip() and not v.plain_value.strip()
        elif t == T.RADIO_BUTTON:
            empty = v.value == ""
        else:
            empty = len(v) == 0
        if empty and self.rules.get("required"):
            self.fail("required", "a value is required")
        return not empty

    def value(self, t, v):
        if t == T.STRING:
            self.text("the value", v)
        elif t in (T.INTEGER, T.FLOAT):
            self.number(t, v)
        elif t in _DATES:
            self.date(lambda: "the date", v.full_date)
        elif t == T.TEXT:
            self.text("the text", v.plain_value)
        elif t == T.TEXT_WITH_HEADER:
            self.header(v.header)
            self.text("the text", v.plain_value)
        elif t in _FILES:
            self.items(len(v), 1 if t == T.IMAGE else None)
            self.files(v)
        elif t == T.RADIO_BUTTON:
            self.options([v.value])
        elif t == T.LIST:
            self.items(len(v))
            self.options([c.value for c in v])
        elif t == T.ENTITY:
            self.items(len(v))
            self.options([entity_id_text(i) for i in v])
        elif t == T.TIME_INTERVAL:
            self.items(len(v))
            self.intervals(v)

    def text(self, what, text):
        lo, hi, pattern = (self.rules.get(k) for k in ("minLength", "maxLength", "pattern"))
        if lo is not None and len(text) < lo:
            self.fail("too_short", f"{what} must be at least {lo} characters long")
        if hi is not None and len(text) > hi:
            self.fail("too_long", f"{what} must be at most {hi} characters long")
        if pattern is not None:
            regex = _patterns.get(pattern)
            if regex is None:
                try:
                    regex = _patterns[pattern] = re.compile(pattern)
                except re.error as e:
                    return self.fail("invalid_settings", f"bad pattern {pattern}: {e}")
            if not regex.search(text):
                self.fail("pattern_mismatch", f"{what} does not match the pattern {pattern}")

    def header(self, header):
        hi = self.rules.get("headerMaxLength")
        if hi is not None and len(header) > hi:
            self.fail("too_long", f"the header must be at most {hi} characters long")

    def number(self, t, value):
        if t == T.FLOAT and (value != value or value in (float("inf"), float("-inf"))):
            return self.fail("not_a_number", "the value must be a finite number")
        lo, hi = self.rules.get("min"), self.rules.get("max")
        if lo is not None and value < lo:
            self.fail("out_of_range", f"{_shown(value)} is less than the minimum {_shown(lo)}")
        if hi is not None and value > hi:
            self.fail("out_of_range", f"{_shown(value)} is greater than the maximum {_shown(hi)}")

    def bound(self, name):
        text = self.rules.get(name)
        if text is None:
            return None
        if text == "now":
            return ("instant", self.now())
        parsed = _bounds.get(text, False)
        if parsed is False:
            parsed = _bounds[text] = dates.parse(text)
        if parsed is None:
            self.fail("invalid_settings", f"{name} is not a date: {text}")
        return parsed

    def date(self, what, text):
        moment = dates.parse(text)
        if moment is None:
            self.fail("invalid_date", f"{what()} is not an ISO 8601 date: {text}")
            return None
        before = self.bound("notBefore")
        if before is not None and dates.compare(moment, before) < 0:
            self.fail("date_out_of_range", f"{what()} is before {self.rules['notBefore']}")
        after = self.bound("notAfter")
        if after is not None and dates.compare(moment, after) > 0:
            self.fail("date_out_of_range", f"{what()} is after {self.rules['notAfter']}")
        return moment

    def intervals(self, pairs):
        for n, (start, end) in enumerate(pairs, 1):
            a = self.date(lambda: f"the start of interval {n}", start)
            b = self.date(lambda: f"the end of interval {n}", end)
            if a is not None and b is not None and dates.compare(a, b) >= 0:
                self.fail("interval_order", f"interval {n} must start before it ends")

    def items(self, count, default_max=None):
        lo = self.rules.get("minItems")
        hi = self.rules.get("maxItems")
        hi = default_max if hi is None else hi
        if lo is not None and count < lo:
            self.fail("too_few_items", f"at least {lo} items are required, got {count}")
        if hi is not None and count > hi:
            self.fail("too_many_items", f"at most {hi} items are allowed, got {count}")

    def files(self, files):
        allowed, max_size = self.rules.get("allowedExtensions"), self.rules.get("maxSize")
        for i, f in enumerate(files, 1):
            name = f.filename.rsplit("/", 1)[-1]
            if allowed is not None:
                ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
                if not ext or not any(a.lstrip(".").lower() == ext for a in allowed):
                    self.fail("extension_not_allowed", f"file {i} ({name}): allowed extensions are {', '.join(allowed)}")
            if max_size is not None and f.size > max_size:
                self.fail("file_too_large", f"file {i} ({name}) has {f.size} bytes, more than {max_size}")

    def options(self, values):
        options = self.rules.get("options")
        if options is None:
            return
        # Strings without quotes, numbers as written: "1" and 1 both allow the value "1".
        allowed = [o if isinstance(o, str) else json.dumps(o) for o in options]
        for value in values:
            if value not in allowed:
                self.fail("not_an_option", f"{value} is not one of the options")
