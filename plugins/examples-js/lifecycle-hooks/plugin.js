// Lifecycle hooks: `before-block` vetoes VIP profiles; `after-grant-access` adds the profile to
// the `grantGroup` of the binding's settings; every other hook allows and has no effects.

import { lifecycleHooks as hooks } from "@portico/plugin-sdk";
import { bindingSettings, error } from "@portico/plugin-sdk/host";
import { grantEffects, SETTINGS, vetoVip } from "./hooks.js";

export const lifecycleHooks = hooks({
  beforeBlock: (event) => vetoVip(event.profile),
  afterGrantAccess: (event) => {
    let settings;
    try {
      settings = bindingSettings(SETTINGS);
    } catch (e) {
      // After-hooks cannot refuse anything any more: report and do nothing.
      error(e.message);
      return [];
    }
    return grantEffects(settings, event.profile);
  },
});
