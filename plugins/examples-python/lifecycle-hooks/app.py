"""Lifecycle hooks: `before-block` vetoes VIP profiles; `after-grant-access` adds the profile to
the `grantGroup` of the binding's settings; every other hook allows and has no effects. The
component's module."""

from portico_plugin import SettingsError
from portico_plugin.host import binding_settings, error
from portico_plugin.hooks import LifecycleHooksBase

from hooks import SETTINGS, grant_effects, veto_vip


class LifecycleHooks(LifecycleHooksBase):
    def before_block(self, event):
        veto_vip(event.profile)

    def after_grant_access(self, event):
        try:
            settings = binding_settings(SETTINGS)
        except SettingsError as e:
            # After-hooks cannot refuse anything any more: report and do nothing.
            error(str(e))
            return []
        return grant_effects(settings, event.profile)
