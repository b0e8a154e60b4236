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


def _check(value, schema, path):
    if isinstance(schema, str):
        expected = _CHECKS[schema.rstrip("!")](value)
        if expected:
            raise ValueError(f"{path} must be {expected}, got {json.dumps(value)}")
        return
    if not isinstance(value, dict):
        raise ValueError(f"{path or 'settings'} must be an object")
    for key in value:
        if key not in schema:
            known = ", ".join(f"`{k}`" for k in schema)
            raise ValueError(f"unknown field `{key}`, expected one of {known}")
    for key, kind in schema.items():
        v = value.get(key)
        # As serde's `Option`: absent or null is "not set".
        if v is None:
            if isinstance(kind, str) and kind.endswith("!"):
                raise ValueError(f"missing field `{key}`")
            continue
        _check(v, kind, f"{path}.{key}" if path else key)


def parse_settings(text: str, context: str = "settings", schema=None):
    """Parses settings JSON (empty text counts as `{}`). With a `schema` (`{key: type}`, types
    `boolean`, `string`, `number`, `integer`, `uint`, `string[]`, `array`, `object`, `any` or a
    nested schema; a trailing `!` makes a key required) unknown keys and wrong types are errors.
    Raises `SettingsError`."""
    try:
        value = json.loads(text if text.strip() else "{}")
        if schema is not None:
            _check(value, schema, "")
    except ValueError as e:
        raise SettingsError(context, str(e)) from None
    return value


def field_settings(field, schema=None):
    """A field's validator settings (`field.settings`), read as `parse_settings` does."""
    return parse_settings(field.settings, f'settings of field "{field.marker}"', schema)


def json_or_none(text: str):
    """JSON text as a value, or None when it does not parse (profile data, hook details)."""
    try:
        return json.loads(text)
    except ValueError:
        return None
