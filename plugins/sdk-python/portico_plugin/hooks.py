"""Lifecycle hooks: a base class whose hooks allow and return no effects unless overridden, and
builders for effects. A veto is raised: `raise veto(message)`."""

import json

from componentize_py_types import Err
from wit_world.exports.lifecycle_hooks import (
    Effect_AddToGroup, Effect_Notify, Effect_RemoveFromGroup, Effect_SetField, FieldAssignment,
    Notification, Veto,
)


def veto(message: str) -> Err:
    """A refusal to raise from a `before_*` hook (the API answers 403 with the message)."""
    return Err(Veto(str(message)))


def add_to_group(group: str):
    return Effect_AddToGroup(str(group))


def remove_from_group(group: str):
    return Effect_RemoveFromGroup(str(group))


def set_field(marker: str, value):
    """Sets a field of the profile to a JSON value (the form API's shape for its type)."""
    return Effect_SetField(FieldAssignment(str(marker), json.dumps(value, ensure_ascii=False)))


def notify(channel: str, template: str, data=None):
    return Effect_Notify(Notification(str(channel), str(template), json.dumps(data or {}, ensure_ascii=False)))


def changes(event):
    """What a user update sets (`details.changes` of `before_update_user` and
    `after_update_user`, e.g. `{"email": "new@example.com"}`); None for the other hooks."""
    try:
        details = json.loads(event.details)
    except ValueError:
        return None
    return details.get("changes") if isinstance(details, dict) else None


class LifecycleHooksBase:
    """Subclass as `class LifecycleHooks(LifecycleHooksBase)`; override only the hooks you need.
    `before_update_user` and `after_update_user` are since portico:plugin@0.2.0."""

    def before_block(self, event): return None
    def before_unblock(self, event): return None
    def before_grant_access(self, event): return None
    def before_deny_access(self, event): return None
    def before_add_user(self, event): return None
    def before_update_user(self, event): return None
    def after_block(self, event): return []
    def after_unblock(self, event): return []
    def after_grant_access(self, event): return []
    def after_deny_access(self, event): return []
    def after_add_user(self, event): return []
    def after_update_user(self, event): return []
