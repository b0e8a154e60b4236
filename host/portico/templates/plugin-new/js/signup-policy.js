// {{name}}: a signup policy. Signup links and self sign-ups are allowed only for emails of the
// binding's `allowedDomain` (e.g. `example.com`), and a link lives at most `maxTtlSeconds`
// (default one day).

import { allow, Denial, signupPolicy as policy } from "@portico/plugin-sdk";
import { bindingSettings } from "@portico/plugin-sdk/host";

// Unreadable settings refuse: no links rather than links for anyone.
function settings() {
  try {
    return bindingSettings({ allowedDomain: "string!", maxTtlSeconds: "uint" });
  } catch (e) {
    throw new Denial("invalid_settings", e.message);
  }
}

function allowDomain({ allowedDomain }, email) {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  if (!email.includes("@") || domain !== allowedDomain.toLowerCase()) {
    throw new Denial("domain_not_allowed", `only ${allowedDomain} addresses may sign up`);
  }
}

export const signupPolicy = policy({
  decide(request) {
    const s = settings();
    allowDomain(s, request.profileEmail);
    return allow().capTtl(s.maxTtlSeconds ?? 86400);
  },
  decideSelfSignup(request) {
    allowDomain(settings(), request.email);
  },
});
