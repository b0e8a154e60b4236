//! A signup policy built directly against `portico:plugin@0.1.0` (`wit/0.1.0`), without the
//! SDK (which builds 0.2.0 components): Portico keeps running such components. It has only
//! `decide`, so it does not take part in self sign-ups.
//!
//! Rule: a profile whose email domain is the binding's `deniedDomain` setting gets no link
//! (`domain_denied`); every other link is allowed with the claim `policyVersion` = `0.1.0` and
//! its lifetime capped at the `maxTtlSeconds` setting, when set.

wit_bindgen::generate!({
    path: "../../../wit/0.1.0",
    world: "signup-policy-plugin",
});

use exports::portico::plugin::signup_policy::{Decision, Denial, Guest, SignupRequest};
use portico::plugin::host;

struct Policy;

impl Guest for Policy {
    fn decide(request: SignupRequest) -> Result<Decision, Denial> {
        let domain = request
            .profile_email
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
            .unwrap_or_default();
        if host::setting("deniedDomain").is_some_and(|denied| denied.eq_ignore_ascii_case(&domain))
        {
            return Err(Denial {
                code: "domain_denied".into(),
                message: format!("no signup links for {domain}"),
            });
        }
        let max_ttl_seconds = host::setting("maxTtlSeconds").and_then(|t| t.parse().ok());
        Ok(Decision {
            max_ttl_seconds,
            forbid_with_sign: false,
            max_live_links: None,
            claims: vec![("policyVersion".into(), "0.1.0".into())],
        })
    }
}

export!(Policy);
