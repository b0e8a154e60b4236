"""Write Portico plugins in Python. Field helpers and settings are here; signup answers in
`portico_plugin.signup`, hook answers in `portico_plugin.hooks`, host calls in
`portico_plugin.host` (each imports only the bindings of its own interface)."""

from .fields import (FIELD_TYPES, entity_id_text, field_from_json, field_violation, from_json_name,
                     json_name, value_from_json, value_type, violation)
from .settings import SettingsError, field_settings, json_or_none, parse_settings

__all__ = ["FIELD_TYPES", "entity_id_text", "field_from_json", "field_violation", "from_json_name",
           "json_name", "value_from_json", "value_type", "violation", "SettingsError", "field_settings",
           "json_or_none", "parse_settings"]
