"""{{name}}: a field validator. Every string field is checked against its settings: `required`
(a non-empty value) and `maxLength` (characters, default 64). A field's settings are the
binding's settings overlaid by the field's own `validators` in the form."""

from portico_plugin import SettingsError, field_settings, field_violation
from wit_world.imports.types import FieldType

RULES = {"required": "boolean", "maxLength": "uint"}


def check(field):
    """The one violation of a field, or None."""
    if field.field_type != FieldType.STRING:
        return None
    try:
        rules = field_settings(field, RULES)
    except SettingsError as e:
        return field_violation(field, "invalid_settings", str(e))
    text = field.value.value
    if rules.get("required") and not text.strip():
        return field_violation(field, "required", "must not be empty")
    max_length = rules.get("maxLength", 64)
    if len(text) > max_length:
        return field_violation(field, "too_long", f"must be at most {max_length} characters, not {len(text)}")
    return None


class FieldValidator:
    def validate(self, fields):
        return [v for v in map(check, fields) if v is not None]
