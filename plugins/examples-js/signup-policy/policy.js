// The policy itself, without host calls (the Node tests run it): the Rust example's rules,
// codes and messages (plugins/examples/signup-policy).

import { allow, Denial } from "@portico/plugin-sdk";

/** The binding's settings; only `allowedDomains` is required, unknown keys are refused. */
export const SETTINGS = {
  allowedDomains: "string[]!",
  maxTtlSeconds: "uint",
  maxLiveLinks: "uint",
  forbidWithSign: "boolean",
  selfSignup: {
    allowedDomains: "string[]",
    authProviders: "string[]",
    requiredFields: "string[]",
    denialCode: "string",
    denialMessage: "string",
  },
};

/** The lower-cased domain of an email with a non-empty local part and domain. */
function emailDomain(email) {
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1) return undefined;
  return email.slice(at + 1).toLowerCase();
}

/** `allowed` is a domain (`example.com`) or a subdomain wildcard (`*.example.com`). */
export function domainMatches(allowed, domain) {
  allowed = allowed.trim().toLowerCase();
  if (!allowed.startsWith("*.")) return domain === allowed;
  const parent = allowed.slice(2);
  if (!domain.endsWith(parent)) return false;
  const rest = domain.slice(0, domain.length - parent.length);
  return rest.endsWith(".") && rest.length > 1;
}

/** A signup-link request: the terms, or a thrown `Denial`. */
export function decide(settings, request) {
  const domain = emailDomain(request.profileEmail);
  if (domain === undefined) throw new Denial("invalid_email", "the profile has no valid email address");
  if (!settings.allowedDomains.some((a) => domainMatches(a, domain))) {
    throw new Denial("domain_not_allowed", `signup links are not issued for the domain ${domain}`);
  }
  const decision = allow().claim("emailDomain", domain);
  if (settings.maxTtlSeconds !== undefined && settings.maxTtlSeconds !== null) decision.capTtl(settings.maxTtlSeconds);
  if (settings.maxLiveLinks !== undefined && settings.maxLiveLinks !== null) decision.capLiveLinks(settings.maxLiveLinks);
  if (settings.forbidWithSign) decision.forbidSigned();
  return decision;
}

/** Whether a submitted value holds something (a non-empty text or list). */
function filled({ tag, val }) {
  if (tag === "string") return val.trim() !== "";
  if (Array.isArray(val)) return val.length > 0;
  return true;
}

/** A self sign-up: returns to allow it, throws a `Denial` to refuse it. */
export function decideSelfSignup(settings, request) {
  const rule = settings.selfSignup ?? {};
  const domain = emailDomain(request.email);
  if (domain === undefined) throw new Denial("invalid_email", "the email address is not valid");
  const refuse = () => {
    const message = rule.denialMessage ?? "self sign-up is not open to email addresses of {domain}";
    return new Denial(rule.denialCode ?? "domain_not_allowed", message.replaceAll("{domain}", domain));
  };
  const domains = rule.allowedDomains ?? settings.allowedDomains;
  if (!domains.some((a) => domainMatches(a, domain))) throw refuse();
  const providers = rule.authProviders ?? [];
  if (providers.length > 0 && !providers.includes(request.authProvider)) throw refuse();
  for (const marker of rule.requiredFields ?? []) {
    if (!request.fields.some((f) => f.marker === marker && filled(f.value))) {
      throw new Denial("missing_field", `the field ${marker} is required to sign up`);
    }
  }
}
