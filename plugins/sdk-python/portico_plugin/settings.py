"""Settings arrive as JSON text: the binding's (from the host) and each field's (`field.settings`).
`parse_settings` reads them against a small schema so that, as in the Rust SDK, a typo or a wrong
type is an error instead of a silently ignored rule."""

import json


class SettingsError(ValueError):
    """Settings JSON that could not be read; `str(e)` is `invalid <context>: <reason>`."""

    def __init__(self, context: str, reason: str):
        super().__init__(f"invalid {context}: {reason}")
        self.context = context
        self.reason = reason


def _whole(v):
    return isinstance(v, int) and not isinstance(v, bool)


# Each check answers what was expected, or None when the value fits.
_CHECKS = {
    "any": lambda v: None,
    "boolean": lambda v: None if isinstance(v, bool) else "a boolean",
    "string": lambda v: None if isinstance(v, str) else "a string",
    "number": lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool) else "a number",
    "integer": lambda v: None if _whole(v) else "a whole number",
    "uint": lambda v: None if _whole(v) and v >= 0 else "a whole number >= 0",
    "object": lambda v: None if isinstance(v, dict) else "an object",
    "array": lambda v: None if isinstance(v, list) else "an array",
    "string[]": lambda v: None if isinstance(v, list) and all(isinstance(s, str) for s in v)
    else "an array of strings",
}


# The commonest leaf types, checked inline: a call per key costs more fuel than the check.
_FAST = {
    "string": lambda v: type(v) is str,
    "number": lambda v: type(v) in (int, float),
    "uint": lambda v: type(v) is int and v >= 0,
    "boolean": lambda v: type(v) is bool,
}
_compiled: dict[int, tuple] = {}


def _compile(schema):
    """(types by key, required keys, known keys' text) of a schema, built once per schema."""
    c = _compiled.get(id(schema))
    if c is None:
        keys = {k: (t.rstrip("!") if isinstance(t, str) else t) for k, t in schema.items()}
        required = [k for k, t in schema.items() if isinstance(t, str) and t.endswith("!")]
        names = [f"`{k}`" for k in schema]
        known = names[0] if len(names) == 1 else "one of " + ", ".join(names)
        c = _compiled[id(schema)] = (keys, required, known, schema)
    return c


def _check(value, schema, path):
    if isinstance(schema, str):
        expected = _CHECKS[schema.rstrip("!")](value)
        if expected:
            raise ValueError(f"{path} must be {expected}, got {json.dumps(value)}")
        return
    if not isinstance(value, dict):
        raise ValueError(f"{path or 'settings'} must be an object")
    keys, required, known, _ = _compile(schema)
    for key, v in list(value.items()):
        kind = keys.get(key)
        if kind is None:
            raise ValueError(f"unknown field `{key}`, expected {known}")
        # As serde's `Option`: null is "not set", read as absent.
        if v is None:
            del value[key]
            continue
        if type(kind) is str and kind in _FAST and _FAST[kind](v):
            continue
        _check(v, kind, f"{path}.{key}" if path else key)
    for key in required:
        if value.get(key) is None:
            raise ValueError(f"missing field `{key}`")


def parse_settings(text: str, context: str = "settings", schema=None):
    """Parses settings JSON (empty text counts as `{}`). With a `schema` (`{key: type}`, types
    `boolean`, `string`, `number`, `integer`, `uint`, `string[]`, `array`, `object`, `any` or a
    nested schema; a trailing `!` makes a key required) unknown keys and wrong types are errors.
    Raises `SettingsError`."""
    return _parse(text, schema, context, None)


def _error(context, marker, e):
    # The context is only built for an error: `settings of field "<marker>"` given a marker.
    return SettingsError(context if marker is None else f'settings of field "{marker}"', str(e))


def _parse(text, schema, context, marker):
    try:
        value = json.loads(text)
    except ValueError as e:
        if text.strip():
            raise _error(context, marker, e) from None
        value = {}  # empty (or blank) text counts as `{}`
    if schema is not None:
        try:
            _check(value, schema, "")
        except ValueError as e:
            raise _error(context, marker, e) from None
    return value


def field_settings(field, schema=None):
    """A field's validator settings (`field.settings`), read as `parse_settings` does."""
    return _parse(field.settings, schema, None, field.marker)


def json_or_none(text: str):
    """JSON text as a value, or None when it does not parse (profile data, hook details)."""
    try:
        return json.loads(text)
    except ValueError:
        return None
