// The hooks' logic without host calls (the Node tests run it): the Rust example's behaviour.

import { addToGroup, profileData, Veto } from "@portico/plugin-sdk";

/** The binding's settings: the group (name or id) that profiles join when granted access. */
export const SETTINGS = { grantGroup: "string" };

/** Vetoes a change to a profile marked `"vip": true` in its data. */
export function vetoVip(profile) {
  if (profileData(profile)?.vip === true) {
    throw new Veto(`profile ${profile.id} is marked vip and cannot be blocked`);
  }
}

/** The effects after access was granted: join the configured group, unless already in it. */
export function grantEffects(settings, profile) {
  const group = settings.grantGroup;
  return group !== undefined && group !== null && !profile.groups.includes(group) ? [addToGroup(group)] : [];
}
