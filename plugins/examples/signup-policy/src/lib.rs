//! Signup policy: issue signup links only to profiles whose email domain is
//! allowed by the binding's settings, and cap the link's lifetime.
//!
//! Settings: `{"allowedDomains": ["example.com", "*.example.org"],
//! "maxTtlSeconds": 3600, "maxLiveLinks": 3, "forbidWithSign": false}`;
//! only `allowedDomains` is required. `*.example.org` allows subdomains of
//! example.org (not example.org itself). An empty list allows no domain.

use portico_plugin_sdk::prelude::*;
use portico_plugin_sdk::{log, settings};
use serde::Deserialize;

/// The binding's settings.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    allowed_domains: Vec<String>,
    #[serde(default)]
    max_ttl_seconds: Option<u32>,
    #[serde(default)]
    max_live_links: Option<u32>,
    #[serde(default)]
    forbid_with_sign: bool,
}

struct DomainPolicy;

impl SignupPolicy for DomainPolicy {
    fn decide(request: SignupRequest) -> Result<Decision, Denial> {
        // Unreadable settings fail closed: better no links than links for anyone.
        let settings: Settings =
            settings::binding().map_err(|e| Denial::new("invalid_settings", e.to_string()))?;
        let answer = decide(&settings, &request);
        if let Err(denial) = &answer {
            log::info(format!("denied {}: {}", request.profile_id, denial.code));
        }
        answer
    }
}

portico_plugin_sdk::export_signup_policy!(DomainPolicy);

/// The policy itself, without host calls (unit-testable natively).
pub fn decide(settings: &Settings, request: &SignupRequest) -> Result<Decision, Denial> {
    let domain = match request.profile_email.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            domain.to_ascii_lowercase()
        }
        _ => {
            return Err(Denial::new(
                "invalid_email",
                "the profile has no valid email address",
            ))
        }
    };
    if !settings
        .allowed_domains
        .iter()
        .any(|allowed| domain_matches(allowed, &domain))
    {
        return Err(Denial::new(
            "domain_not_allowed",
            format!("signup links are not issued for the domain {domain}"),
        ));
    }
    let mut decision = Decision::allow().claim("emailDomain", &domain);
    if let Some(ttl) = settings.max_ttl_seconds {
        decision = decision.max_ttl(ttl);
    }
    if let Some(count) = settings.max_live_links {
        decision = decision.max_live_links(count);
    }
    if settings.forbid_with_sign {
        decision = decision.forbid_with_sign();
    }
    Ok(decision)
}

/// `allowed` is a domain (`example.com`) or a subdomain wildcard (`*.example.com`).
fn domain_matches(allowed: &str, domain: &str) -> bool {
    let allowed = allowed.trim().to_ascii_lowercase();
    match allowed.strip_prefix("*.") {
        Some(parent) => domain
            .strip_suffix(parent)
            .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
        None => domain == allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(email: &str) -> SignupRequest {
        SignupRequest {
            profile_id: "p1".into(),
            profile_email: email.into(),
            ttl_seconds: 86_400,
            with_sign: false,
            refresh: false,
            live_links: 0,
        }
    }

    fn settings(json: &str) -> Settings {
        settings::parse(json, "test").unwrap()
    }

    #[test]
    fn allows_listed_domain_and_caps_ttl() {
        let s = settings(r#"{"allowedDomains":["example.com"],"maxTtlSeconds":3600}"#);
        let d = decide(&s, &request("Ann@Example.COM")).unwrap();
        assert_eq!(d.max_ttl_seconds, Some(3600));
        assert_eq!(
            d.claims,
            vec![("emailDomain".to_string(), "example.com".to_string())]
        );
    }

    #[test]
    fn denies_other_domains_and_bad_emails() {
        let s = settings(r#"{"allowedDomains":["example.com"]}"#);
        assert_eq!(
            decide(&s, &request("a@evil.com")).unwrap_err().code,
            "domain_not_allowed"
        );
        assert_eq!(
            decide(&s, &request("a@sub.example.com")).unwrap_err().code,
            "domain_not_allowed"
        );
        assert_eq!(
            decide(&s, &request("no-at-sign")).unwrap_err().code,
            "invalid_email"
        );
    }

    #[test]
    fn wildcard_allows_subdomains_only() {
        let s = settings(r#"{"allowedDomains":["*.example.org"]}"#);
        assert!(decide(&s, &request("a@eu.example.org")).is_ok());
        assert!(decide(&s, &request("a@example.org")).is_err());
        assert!(decide(&s, &request("a@badexample.org")).is_err());
    }

    #[test]
    fn rejects_unknown_settings_keys() {
        assert!(settings::parse::<Settings>(r#"{"allowedDomain":[]}"#, "t").is_err());
    }
}
