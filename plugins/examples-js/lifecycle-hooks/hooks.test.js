import assert from "node:assert/strict";
import { test } from "node:test";
import { addToGroup, parseSettings, Veto } from "@portico/plugin-sdk";
import { grantEffects, SETTINGS, vetoVip } from "./hooks.js";

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
