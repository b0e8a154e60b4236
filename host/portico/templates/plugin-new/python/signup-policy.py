"""{{name}}: a signup policy. Signup links and self sign-ups are allowed only for emails of the
binding's `allowedDomain` (e.g. `example.com`), and a link lives at most `maxTtlSeconds`
(default one day)."""

from portico_plugin import SettingsError
from portico_plugin.host import binding_settings
from portico_plugin.signup import SignupPolicyBase, allow, deny

SETTINGS = {"allowedDomain": "string!", "maxTtlSeconds": "uint"}


def settings():
    """The binding's settings; unreadable settings refuse (no links rather than links for anyone)."""
    try:
        return binding_settings(SETTINGS)
    except SettingsError as e:
        raise deny("invalid_settings", str(e))


def allow_domain(s, email):
    domain = email.rpartition("@")[2].lower()
    if "@" not in email or domain != s["allowedDomain"].lower():
        raise deny("domain_not_allowed", f"only {s['allowedDomain']} addresses may sign up")


class SignupPolicy(SignupPolicyBase):
    def decide(self, request):
        s = settings()
        allow_domain(s, request.profile_email)
        return allow(max_ttl=s.get("maxTtlSeconds", 86400))

    def decide_self_signup(self, request):
        allow_domain(settings(), request.email)
