"""The policy itself, without host calls (the native tests run it): the Rust example's rules,
codes and messages (plugins/examples/signup-policy)."""

from portico_plugin.signup import allow, deny

# The binding's settings; only `allowedDomains` is required, unknown keys are refused.
SETTINGS = {
    "allowedDomains": "string[]!",
    "maxTtlSeconds": "uint",
    "maxLiveLinks": "uint",
    "forbidWithSign": "boolean",
    "selfSignup": {
        "allowedDomains": "string[]",
        "authProviders": "string[]",
        "requiredFields": "string[]",
        "denialCode": "string",
        "denialMessage": "string",
    },
}


def email_domain(email):
    """The lower-cased domain of an email with a non-empty local part and domain, or None."""
    at = email.rfind("@")
    if at <= 0 or at == len(email) - 1:
        return None
    return email[at + 1:].lower()


def domain_matches(allowed, domain):
    """`allowed` is a domain (`example.com`) or a subdomain wildcard (`*.example.com`)."""
    allowed = allowed.strip().lower()
    if not allowed.startswith("*."):
        return domain == allowed
    parent = allowed[2:]
    if not domain.endswith(parent):
        return False
    rest = domain[: len(domain) - len(parent)]
    return rest.endswith(".") and len(rest) > 1


def decide(settings, request):
    """A signup-link request: the terms, or a raised denial."""
    domain = email_domain(request.profile_email)
    if domain is None:
        raise deny("invalid_email", "the profile has no valid email address")
    if not any(domain_matches(a, domain) for a in settings["allowedDomains"]):
        raise deny("domain_not_allowed", f"signup links are not issued for the domain {domain}")
    return allow(max_ttl=settings.get("maxTtlSeconds"), forbid_with_sign=settings.get("forbidWithSign", False),
                 max_live_links=settings.get("maxLiveLinks"), claims={"emailDomain": domain})


def _filled(value):
    """Whether a submitted value holds something (a non-empty text or list)."""
    val = value.value
    if isinstance(val, str):
        return val.strip() != ""
    if isinstance(val, list):
        return len(val) > 0
    return True


def decide_self_signup(settings, request):
    """A self sign-up: returns to allow it, raises a denial to refuse it."""
    rule = settings.get("selfSignup") or {}
    domain = email_domain(request.email)
    if domain is None:
        raise deny("invalid_email", "the email address is not valid")

    def refuse():
        message = rule.get("denialMessage", "self sign-up is not open to email addresses of {domain}")
        return deny(rule.get("denialCode", "domain_not_allowed"), message.replace("{domain}", domain))

    domains = rule.get("allowedDomains", settings["allowedDomains"])
    if not any(domain_matches(a, domain) for a in domains):
        raise refuse()
    providers = rule.get("authProviders") or []
    if providers and request.auth_provider not in providers:
        raise refuse()
    for marker in rule.get("requiredFields") or []:
        if not any(f.marker == marker and _filled(f.value) for f in request.fields):
            raise deny("missing_field", f"the field {marker} is required to sign up")
