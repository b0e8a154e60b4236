"""{{name}}: lifecycle hooks. Blocking a profile in the binding's `protectedGroup` (default
`vip`) is vetoed; a profile granted portal access is added to `grantGroup` (default
`portal-users`)."""

from portico_plugin import SettingsError
from portico_plugin.host import binding_settings, error
from portico_plugin.hooks import LifecycleHooksBase, add_to_group, veto

SETTINGS = {"protectedGroup": "string", "grantGroup": "string"}


class LifecycleHooks(LifecycleHooksBase):
    def before_block(self, event):
        try:
            group = binding_settings(SETTINGS).get("protectedGroup", "vip")
        except SettingsError as e:
            raise veto(str(e))
        if group in event.profile.groups:
            raise veto(f"profiles in {group} cannot be blocked")

    def after_grant_access(self, event):
        try:
            return [add_to_group(binding_settings(SETTINGS).get("grantGroup", "portal-users"))]
        except SettingsError as e:
            # After-hooks cannot refuse any more: report and do nothing.
            error(str(e))
            return []
