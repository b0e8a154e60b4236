"""Native tests of the policy's logic, the JavaScript and Rust examples' cases (run by
plugins/build-js-python with the generated bindings on the path)."""

import json
import unittest

from componentize_py_types import Err
from portico_plugin import field_from_json, parse_settings
from wit_world.exports.signup_policy import SelfSignupRequest, SignupRequest

from policy import SETTINGS, decide, decide_self_signup


def settings(value):
    return parse_settings(json.dumps(value), "test", SETTINGS)


def request(email):
    return SignupRequest("p1", email, 86_400, False, False, 0)


def self_signup(email, provider, fields=()):
    return SelfSignupRequest(email, provider, "signup", list(fields), "en_US")


def text(marker, value):
    return field_from_json({"marker": marker, "type": "string", "value": value})


def denial(fn):
    with unittest.TestCase().assertRaises(Err) as raised:
        fn()
    return raised.exception.value


class Policy(unittest.TestCase):
    def test_allows_a_listed_domain_and_caps_the_ttl(self):
        d = decide(settings({"allowedDomains": ["example.com"], "maxTtlSeconds": 3600}), request("Ann@Example.COM"))
        self.assertEqual(d.max_ttl_seconds, 3600)
        self.assertEqual(d.claims, [("emailDomain", "example.com")])

    def test_denies_other_domains_and_bad_emails(self):
        s = settings({"allowedDomains": ["example.com"]})
        self.assertEqual(denial(lambda: decide(s, request("a@evil.com"))).code, "domain_not_allowed")
        self.assertEqual(denial(lambda: decide(s, request("a@sub.example.com"))).code, "domain_not_allowed")
        self.assertEqual(denial(lambda: decide(s, request("no-at-sign"))).code, "invalid_email")

    def test_a_wildcard_allows_subdomains_only(self):
        s = settings({"allowedDomains": ["*.example.org"]})
        decide(s, request("a@eu.example.org"))
        denial(lambda: decide(s, request("a@example.org")))
        denial(lambda: decide(s, request("a@badexample.org")))

    def test_links_can_be_capped_and_unsigned(self):
        d = decide(settings({"allowedDomains": ["example.com"], "maxLiveLinks": 2, "forbidWithSign": True}),
                   request("a@example.com"))
        self.assertEqual((d.max_live_links, d.forbid_with_sign), (2, True))

    def test_self_sign_ups_follow_the_link_domains_by_default(self):
        s = settings({"allowedDomains": ["example.com"]})
        decide_self_signup(s, self_signup("ann@example.com", "email"))
        refused = denial(lambda: decide_self_signup(s, self_signup("eve@evil.com", "email")))
        self.assertEqual(refused.code, "domain_not_allowed")
        self.assertEqual(refused.message, "self sign-up is not open to email addresses of evil.com")

    def test_the_self_sign_up_rule_names_providers_fields_and_its_denial(self):
        s = settings({"allowedDomains": ["example.com"], "selfSignup": {
            "authProviders": ["email"], "requiredFields": ["company"],
            "denialCode": "closed", "denialMessage": "not for {domain}"}})
        self.assertEqual(denial(lambda: decide_self_signup(s, self_signup("a@example.com", "google"))).code, "closed")
        missing = denial(lambda: decide_self_signup(s, self_signup("a@example.com", "email", [text("company", " ")])))
        self.assertEqual(missing.code, "missing_field")
        decide_self_signup(s, self_signup("a@example.com", "email", [text("company", "Acme")]))
        self.assertEqual(denial(lambda: decide_self_signup(s, self_signup("a@evil.com", "email"))).message,
                         "not for evil.com")

    def test_unknown_settings_are_refused(self):
        with self.assertRaises(ValueError):
            settings({"allowedDomain": ["example.com"]})


if __name__ == "__main__":
    unittest.main()
