"""Field validator: checks every field of a request against the rules in its settings and
returns every violation (rules and codes: the Rust example's README). The component's module."""

from portico_plugin.host import now_ms

from rules import validate_all


class FieldValidator:
    def validate(self, fields):
        return validate_all(fields, now_ms)
