"""The hooks' logic without host calls (the native tests run it): the Rust example's behaviour."""

from portico_plugin import json_or_none
from portico_plugin.hooks import add_to_group, changes, veto

# The binding's settings: the groups (name or id) that profiles join when granted access and
# once their user updated their data, and the form fields a user update may not set.
SETTINGS = {"grantGroup": "string", "updateGroup": "string", "lockedFields": "string[]"}


def _vip(profile):
    data = json_or_none(profile.data)
    return isinstance(data, dict) and data.get("vip") is True


def veto_vip(profile):
    """Vetoes a change to a profile marked `"vip": true` in its data."""
    if _vip(profile):
        raise veto(f"profile {profile.id} is marked vip and cannot be blocked")


def veto_vip_email_change(event):
    """Vetoes an update that changes the email of a profile marked `"vip": true`."""
    email = (changes(event) or {}).get("email")
    if not isinstance(email, str):
        return
    current = (event.user or event.profile).email
    if _vip(event.profile) and email.lower() != current.lower():
        raise veto(f"profile {event.profile.id} is marked vip: its email cannot be changed")


def veto_locked_fields(settings, event):
    """Vetoes an update that sets a form field named in `lockedFields` (in any language)."""
    by_lang = (changes(event) or {}).get("formData") or {}
    for marker in settings.get("lockedFields") or []:
        if any(marker in fields for fields in by_lang.values()):
            raise veto(f"the field {marker} is locked")


def _join(group, profile):
    """Joins `group`, when there is one and the profile is not in it yet."""
    return [add_to_group(group)] if group is not None and group not in profile.groups else []


def grant_effects(settings, profile):
    """The effects after access was granted: join the configured group, unless already in it."""
    return _join(settings.get("grantGroup"), profile)


def update_effects(settings, profile):
    """The effects after the user updated their data: join the configured group."""
    return _join(settings.get("updateGroup"), profile)
