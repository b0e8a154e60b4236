// Lifecycle hooks: `before-block` vetoes VIP profiles; `after-grant-access` adds the profile to
// the `grantGroup` of the binding's settings; `before-update-user` vetoes changing a VIP's email;
// `after-update-user` adds the profile to the `updateGroup`; every other hook allows and has no
// effects.

import { lifecycleHooks as hooks } from "@portico/plugin-sdk";
import { bindingSettings, error } from "@portico/plugin-sdk/host";
import { Veto } from "@portico/plugin-sdk";
import {
  grantEffects, SETTINGS, updateEffects, vetoLockedFields, vetoVip, vetoVipEmailChange,
} from "./hooks.js";

/** The effects `effects` makes from the binding's settings; none when they do not parse. */
function withSettings(effects) {
  let settings;
  try {
    settings = bindingSettings(SETTINGS);
  } catch (e) {
    // After-hooks cannot refuse anything any more: report and do nothing.
    error(e.message);
    return [];
  }
  return effects(settings);
}

export const lifecycleHooks = hooks({
  beforeBlock: (event) => vetoVip(event.profile),
  afterGrantAccess: (event) => withSettings((s) => grantEffects(s, event.profile)),
  beforeUpdateUser: (event) => {
    vetoVipEmailChange(event);
    let settings;
    try {
      settings = bindingSettings(SETTINGS);
    } catch (e) {
      // Misconfigured settings refuse the update rather than let a locked field change.
      throw new Veto(e.message);
    }
    vetoLockedFields(settings, event);
  },
  afterUpdateUser: (event) => withSettings((s) => updateEffects(s, event.profile)),
});
