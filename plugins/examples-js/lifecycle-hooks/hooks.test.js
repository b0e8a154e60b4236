import assert from "node:assert/strict";
import { test } from "node:test";
import { addToGroup, parseSettings, Veto } from "@portico/plugin-sdk";
import {
  grantEffects, SETTINGS, updateEffects, vetoLockedFields, vetoVip, vetoVipEmailChange,
} from "./hooks.js";

const profile = (data, groups = []) => ({ id: "p1", email: "a@example.com", status: "active", userId: undefined, groups, data });

test("vetoes only vip profiles", () => {
  assert.throws(() => vetoVip(profile('{"vip": true}')), Veto);
  vetoVip(profile('{"vip": false}'));
  vetoVip(profile('{"vip": "yes"}'));
  vetoVip(profile("{}"));
  vetoVip(profile("not json"));
});

test("granting adds the configured group once", () => {
  const s = parseSettings('{"grantGroup":"customers"}', "t", SETTINGS);
  assert.deepEqual(grantEffects(s, profile("{}")), [addToGroup("customers")]);
  assert.deepEqual(grantEffects(s, profile("{}", ["customers"])), []);
  assert.deepEqual(grantEffects({}, profile("{}")), []);
  assert.throws(() => parseSettings('{"group":"x"}', "t", SETTINGS), /unknown field/);
});

const update = (data, details, user = undefined) => ({ profile: profile(data), user, actor: { kind: "portal-user", id: "u1" }, details });

test("vetoes only a vip's email change", () => {
  const newEmail = '{"changes": {"email": "b@example.com"}}';
  assert.throws(() => vetoVipEmailChange(update('{"vip": true}', newEmail)), Veto);
  vetoVipEmailChange(update('{"vip": true}', '{"changes": {"email": "A@example.com"}}'));
  vetoVipEmailChange(update('{"vip": true}', '{"changes": {"firstName": "Vera"}}'));
  vetoVipEmailChange(update("{}", newEmail));
  const user = { id: "u1", email: "b@example.com", status: "active", groups: [], data: "{}" };
  vetoVipEmailChange(update('{"vip": true}', newEmail, user));
});

test("an update adds the configured group once", () => {
  const s = parseSettings('{"updateGroup":"updated"}', "t", SETTINGS);
  assert.deepEqual(updateEffects(s, profile("{}")), [addToGroup("updated")]);
  assert.deepEqual(updateEffects(s, profile("{}", ["updated"])), []);
  assert.deepEqual(updateEffects({}, profile("{}")), []);
});

test("vetoes only a locked field", () => {
  const s = parseSettings('{"lockedFields":["contract"]}', "t", SETTINGS);
  const locked = update("{}", '{"changes": {"formData": {"tr_TR": {"name": "A", "contract": null}}}}');
  assert.throws(() => vetoLockedFields(s, locked), (e) => e instanceof Veto && e.message === "the field contract is locked");
  vetoLockedFields(s, update("{}", '{"changes": {"formData": {"en_US": {"name": "A"}}}}'));
  vetoLockedFields(s, update("{}", '{"changes": {}}'));
  vetoLockedFields({}, locked);
});
