"""Signup policy: links only for the allowed email domains, with a capped TTL; self sign-ups only
for allowed domains (and providers, with required fields). See policy.py. The component's module."""

from componentize_py_types import Err
from portico_plugin import SettingsError
from portico_plugin.host import binding_settings, info
from portico_plugin.signup import SignupPolicyBase, deny

import policy


def settings():
    """Unreadable settings fail closed: better no links than links for anyone."""
    try:
        return binding_settings(policy.SETTINGS)
    except SettingsError as e:
        raise deny("invalid_settings", str(e))


def logged(what, decide):
    try:
        return decide()
    except Err as e:
        info(f"denied {what}: {e.value.code}")
        raise


class SignupPolicy(SignupPolicyBase):
    def decide(self, request):
        s = settings()
        return logged(request.profile_id, lambda: policy.decide(s, request))

    def decide_self_signup(self, request):
        s = settings()
        return logged("self sign-up", lambda: policy.decide_self_signup(s, request))
