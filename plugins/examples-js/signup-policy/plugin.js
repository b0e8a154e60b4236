// Signup policy: links only for the allowed email domains, with a capped TTL; self sign-ups
// only for allowed domains (and providers, with required fields). See policy.js.

import { Denial, signupPolicy as policy } from "@portico/plugin-sdk";
import { bindingSettings, info } from "@portico/plugin-sdk/host";
import * as rules from "./policy.js";

// Unreadable settings fail closed: better no links than links for anyone.
function settings() {
  try {
    return bindingSettings(rules.SETTINGS);
  } catch (e) {
    throw new Denial("invalid_settings", e.message);
  }
}

function logged(what, decide) {
  try {
    return decide();
  } catch (e) {
    if (e instanceof Denial) info(`denied ${what}: ${e.code}`);
    throw e;
  }
}

export const signupPolicy = policy({
  decide(request) {
    const s = settings();
    return logged(request.profileId, () => rules.decide(s, request));
  },
  decideSelfSignup(request) {
    const s = settings();
    return logged("self sign-up", () => rules.decideSelfSignup(s, request));
  },
});
