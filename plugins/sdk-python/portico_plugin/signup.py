"""Signup policies: a base class whose self sign-up decision allows unless overridden, and
builders for their answers. A refusal is raised: `raise deny(code, message)`."""

from componentize_py_types import Err
from wit_world.exports.signup_policy import Decision, Denial


def allow(max_ttl: int | None = None, forbid_with_sign: bool = False, max_live_links: int | None = None,
          claims: dict[str, str] | None = None) -> Decision:
    """The terms of a link: capped lifetime, no signed links, capped live links, claims."""
    pairs = [(str(k), str(v)) for k, v in (claims or {}).items()]
    return Decision(max_ttl, forbid_with_sign, max_live_links, pairs)


def deny(code: str, message: str) -> Err:
    """A refusal to raise from `decide` or `decide_self_signup`."""
    return Err(Denial(str(code), str(message)))


class SignupPolicyBase:
    """Subclass as `class SignupPolicy(SignupPolicyBase)` in the plugin's module."""

    def decide(self, request):
        raise NotImplementedError

    def decide_self_signup(self, request) -> None:
        return None
