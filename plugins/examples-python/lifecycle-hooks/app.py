"""Lifecycle hooks: `before-block` vetoes VIP profiles; `after-grant-access` adds the profile to
the `grantGroup` of the binding's settings; `before-update-user` vetoes changing a VIP's email
and setting a locked field; `after-update-user` adds the profile to the `updateGroup`; every other
hook allows and has no effects. The component's module."""

from portico_plugin import SettingsError
from portico_plugin.host import binding_settings, error
from portico_plugin.hooks import LifecycleHooksBase, veto

from hooks import (SETTINGS, grant_effects, update_effects, veto_locked_fields, veto_vip,
                   veto_vip_email_change)


def with_settings(effects):
    """The effects `effects` makes from the binding's settings; none when they do not parse."""
    try:
        settings = binding_settings(SETTINGS)
    except SettingsError as e:
        # After-hooks cannot refuse anything any more: report and do nothing.
        error(str(e))
        return []
    return effects(settings)


class LifecycleHooks(LifecycleHooksBase):
    def before_block(self, event):
        veto_vip(event.profile)

    def after_grant_access(self, event):
        return with_settings(lambda s: grant_effects(s, event.profile))

    def before_update_user(self, event):
        veto_vip_email_change(event)
        try:
            settings = binding_settings(SETTINGS)
        except SettingsError as e:
            # Misconfigured settings refuse the update rather than let a locked field change.
            raise veto(str(e))
        veto_locked_fields(settings, event)

    def after_update_user(self, event):
        return with_settings(lambda s: update_effects(s, event.profile))
