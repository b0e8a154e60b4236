"""The hooks' logic without host calls (the native tests run it): the Rust example's behaviour."""

from portico_plugin import json_or_none
from portico_plugin.hooks import add_to_group, veto

# The binding's settings: the group (name or id) that profiles join when granted access.
SETTINGS = {"grantGroup": "string"}


def veto_vip(profile):
    """Vetoes a change to a profile marked `"vip": true` in its data."""
    data = json_or_none(profile.data)
    if isinstance(data, dict) and data.get("vip") is True:
        raise veto(f"profile {profile.id} is marked vip and cannot be blocked")


def grant_effects(settings, profile):
    """The effects after access was granted: join the configured group, unless already in it."""
    group = settings.get("grantGroup")
    return [add_to_group(group)] if group is not None and group not in profile.groups else []
