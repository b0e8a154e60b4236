"""Native tests of the hooks' logic, the JavaScript and Rust examples' cases (run by
plugins/build-js-python with the generated bindings on the path)."""

import json
import unittest

from componentize_py_types import Err
from wit_world.exports.lifecycle_hooks import Effect_AddToGroup
from wit_world.exports.lifecycle_hooks import Actor, ActorKind, HookEvent
from wit_world.imports.types import ProfileView

from hooks import grant_effects, update_effects, veto_locked_fields, veto_vip, veto_vip_email_change


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


    def test_a_vip_email_change_is_vetoed_and_other_changes_go_through(self):
        vip = profile({"vip": True})
        with self.assertRaises(Err) as raised:
            veto_vip_email_change(update(vip, {"email": "new@example.com"}))
        self.assertEqual(raised.exception.value.message, "profile p1 is marked vip: its email cannot be changed")
        veto_vip_email_change(update(vip, {"email": "ANN@example.com"}))
        veto_vip_email_change(update(vip, {"firstName": "Ann"}))
        veto_vip_email_change(update(profile({}), {"email": "new@example.com"}))

    def test_a_locked_field_is_vetoed_in_any_language(self):
        settings = {"lockedFields": ["tier"]}
        with self.assertRaises(Err) as raised:
            veto_locked_fields(settings, update(profile({}), {"formData": {"de_DE": {"tier": "gold"}}}))
        self.assertEqual(raised.exception.value.message, "the field tier is locked")
        veto_locked_fields(settings, update(profile({}), {"formData": {"en_US": {"name": "Ann"}}}))

    def test_an_updated_profile_joins_the_update_group(self):
        self.assertEqual(update_effects({"updateGroup": "active"}, profile({})), [Effect_AddToGroup("active")])
        self.assertEqual(update_effects({}, profile({})), [])


def update(subject, changes):
    return HookEvent(subject, None, Actor(ActorKind.PORTAL_USER, "u1"), json.dumps({"changes": changes}))


if __name__ == "__main__":
    unittest.main()
