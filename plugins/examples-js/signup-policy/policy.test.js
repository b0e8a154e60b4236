import assert from "node:assert/strict";
import { test } from "node:test";
import { Denial, parseSettings } from "@portico/plugin-sdk";
import { decide, decideSelfSignup, SETTINGS } from "./policy.js";

const settings = (json) => parseSettings(JSON.stringify(json), "test", SETTINGS);
const request = (profileEmail) => ({ profileId: "p1", profileEmail, ttlSeconds: 86_400, withSign: false, refresh: false, liveLinks: 0 });
const denialOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Denial, e);
    return e;
  }
  assert.fail("not denied");
};
const selfSignup = (email, authProvider, fields = []) => ({ email, authProvider, formIdentifier: "signup", fields, langCode: "en_US" });
const text = (marker, val) => ({ marker, fieldType: "string", value: { tag: "string", val }, settings: "{}" });

test("allows a listed domain and caps the TTL", () => {
  const d = decide(settings({ allowedDomains: ["example.com"], maxTtlSeconds: 3600 }), request("Ann@Example.COM"));
  assert.equal(d.maxTtlSeconds, 3600);
  assert.deepEqual(d.claims, [["emailDomain", "example.com"]]);
});

test("denies other domains and bad emails", () => {
  const s = settings({ allowedDomains: ["example.com"] });
  assert.equal(denialOf(() => decide(s, request("a@evil.com"))).code, "domain_not_allowed");
  assert.equal(denialOf(() => decide(s, request("a@sub.example.com"))).code, "domain_not_allowed");
  assert.equal(denialOf(() => decide(s, request("no-at-sign"))).code, "invalid_email");
});

test("a wildcard allows subdomains only", () => {
  const s = settings({ allowedDomains: ["*.example.org"] });
  decide(s, request("a@eu.example.org"));
  denialOf(() => decide(s, request("a@example.org")));
  denialOf(() => decide(s, request("a@badexample.org")));
});

test("self sign-ups follow the link domains by default", () => {
  const s = settings({ allowedDomains: ["example.com"] });
  decideSelfSignup(s, selfSignup("a@example.com", "email"));
  const denial = denialOf(() => decideSelfSignup(s, selfSignup("a@evil.com", "email")));
  assert.equal(denial.code, "domain_not_allowed");
  assert.match(denial.message, /evil\.com/);
  assert.equal(denialOf(() => decideSelfSignup(s, selfSignup("nobody", "email"))).code, "invalid_email");
});

test("the self sign-up rule has its own domains, providers, fields and denial", () => {
  const s = settings({
    allowedDomains: ["example.com"],
    selfSignup: { allowedDomains: ["*.example.org"], authProviders: ["email"], requiredFields: ["company"], denialCode: "closed", denialMessage: "not for {domain}" },
  });
  const company = [text("company", "Acme")];
  decideSelfSignup(s, selfSignup("a@eu.example.org", "email", company));
  const other = denialOf(() => decideSelfSignup(s, selfSignup("a@example.com", "email", company)));
  assert.deepEqual([other.code, other.message], ["closed", "not for example.com"]);
  assert.equal(denialOf(() => decideSelfSignup(s, selfSignup("a@eu.example.org", "phone", company))).code, "closed");
  const empty = [text("company", "  ")];
  assert.equal(denialOf(() => decideSelfSignup(s, selfSignup("a@eu.example.org", "email", empty))).code, "missing_field");
});

test("refuses unknown settings keys", () => {
  assert.throws(() => settings({ allowedDomain: [] }), /unknown field `allowedDomain`/);
  assert.throws(() => settings({}), /missing field `allowedDomains`/);
});
