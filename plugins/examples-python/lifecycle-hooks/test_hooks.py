"""Native tests of the hooks' logic, the JavaScript and Rust examples' cases (run by
plugins/build-js-python with the generated bindings on the path)."""

import json
import unittest

from componentize_py_types import Err
from wit_world.exports.lifecycle_hooks import Effect_AddToGroup
from wit_world.imports.types import ProfileView

from hooks import grant_effects, veto_vip


def profile(data, groups=()):
    return ProfileView("p1", "ann@example.com", "active", None, list(groups), json.dumps(data))


class Hooks(unittest.TestCase):
    def test_a_vip_profile_is_vetoed(self):
        with self.assertRaises(Err) as raised:
            veto_vip(profile({"vip": True}))
        self.assertEqual(raised.exception.value.message, "profile p1 is marked vip and cannot be blocked")

    def test_other_profiles_go_ahead(self):
        veto_vip(profile({"vip": "yes"}))
        veto_vip(profile({}))

    def test_a_granted_profile_joins_the_group_once(self):
        self.assertEqual(grant_effects({"grantGroup": "customers"}, profile({})), [Effect_AddToGroup("customers")])
        self.assertEqual(grant_effects({"grantGroup": "customers"}, profile({}, ["customers"])), [])
        self.assertEqual(grant_effects({}, profile({})), [])


if __name__ == "__main__":
    unittest.main()
