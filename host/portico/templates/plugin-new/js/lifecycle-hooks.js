// {{name}}: lifecycle hooks. Blocking a profile in the binding's `protectedGroup` (default
// `vip`) is vetoed; a profile granted portal access is added to `grantGroup` (default
// `portal-users`).

import { addToGroup, lifecycleHooks as hooks, Veto } from "@portico/plugin-sdk";
import { bindingSettings, error } from "@portico/plugin-sdk/host";

const SETTINGS = { protectedGroup: "string", grantGroup: "string" };

export const lifecycleHooks = hooks({
  beforeBlock(event) {
    let group;
    try {
      group = bindingSettings(SETTINGS).protectedGroup ?? "vip";
    } catch (e) {
      throw new Veto(e.message);
    }
    if (event.profile.groups.includes(group)) throw new Veto(`profiles in ${group} cannot be blocked`);
  },
  afterGrantAccess() {
    try {
      return [addToGroup(bindingSettings(SETTINGS).grantGroup ?? "portal-users")];
    } catch (e) {
      // After-hooks cannot refuse any more: report and do nothing.
      error(e.message);
      return [];
    }
  },
});
