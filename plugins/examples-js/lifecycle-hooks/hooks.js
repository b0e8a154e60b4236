// The hooks' logic without host calls (the Node tests run it): the Rust example's behaviour.

import { addToGroup, eventChanges, profileData, Veto } from "@portico/plugin-sdk";

/** The binding's settings: the groups (name or id) that profiles join when granted access and
 * once their user updated their data, and the form fields a user update may not set. */
export const SETTINGS = { grantGroup: "string", updateGroup: "string", lockedFields: "string[]" };

/** Vetoes a change to a profile marked `"vip": true` in its data. */
export function vetoVip(profile) {
  if (profileData(profile)?.vip === true) {
    throw new Veto(`profile ${profile.id} is marked vip and cannot be blocked`);
  }
}

/** Vetoes an update that changes the email of a profile marked `"vip": true`. */
export function vetoVipEmailChange(event) {
  const email = eventChanges(event)?.email;
  if (typeof email !== "string") return;
  const current = (event.user ?? event.profile).email;
  if (profileData(event.profile)?.vip === true && email.toLowerCase() !== current.toLowerCase()) {
    throw new Veto(`profile ${event.profile.id} is marked vip: its email cannot be changed`);
  }
}

/** Vetoes an update that sets a form field named in `lockedFields` (in any language). */
export function vetoLockedFields(settings, event) {
  const byLang = eventChanges(event)?.formData ?? {};
  const set = (marker) => Object.values(byLang).some((fields) => Object.hasOwn(fields, marker));
  const locked = (settings.lockedFields ?? []).find(set);
  if (locked !== undefined) throw new Veto(`the field ${locked} is locked`);
}

/** Joins `group`, when there is one and the profile is not in it yet. */
function join(group, profile) {
  return group !== undefined && group !== null && !profile.groups.includes(group) ? [addToGroup(group)] : [];
}

/** The effects after access was granted: join the configured group, unless already in it. */
export function grantEffects(settings, profile) {
  return join(settings.grantGroup, profile);
}

/** The effects after the user updated their data: join the configured group. */
export function updateEffects(settings, profile) {
  return join(settings.updateGroup, profile);
}
