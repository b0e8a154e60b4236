//! Signup policy: issue signup links only to profiles whose email domain is
//! allowed by the binding's settings, and cap the link's lifetime; let portal
//! users sign themselves up only with an allowed email domain (WIT 0.2.0).
//!
//! Settings: `{"allowedDomains": ["example.com", "*.example.org"],
//! "maxTtlSeconds": 3600, "maxLiveLinks": 3, "forbidWithSign": false,
//! "selfSignup": {...}}`; only `allowedDomains` is required. `*.example.org`
//! allows subdomains of example.org (not example.org itself). An empty list
//! allows no domain. `selfSignup` (see [`SelfSignupSettings`]) sets the self
//! sign-up rule; without it self sign-ups follow `allowedDomains`.

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
    #[serde(default)]
    self_signup: SelfSignupSettings,
}

/// The self sign-up rule: `{"allowedDomains": [..], "authProviders": [..],
/// "requiredFields": [..], "denialCode": "..", "denialMessage": ".."}`, every
/// key optional. `allowedDomains` defaults to the link policy's; an empty
/// `authProviders` allows every provider; `requiredFields` are markers the
/// form must carry with a non-empty value. A refusal for the domain or the
/// provider answers `denialCode` (default `domain_not_allowed`) with
/// `denialMessage`, where `{domain}` stands for the email's domain.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelfSignupSettings {
    #[serde(default)]
    allowed_domains: Option<Vec<String>>,
    #[serde(default)]
    auth_providers: Vec<String>,
    #[serde(default)]
    required_fields: Vec<String>,
    #[serde(default)]
    denial_code: Option<String>,
    #[serde(default)]
    denial_message: Option<String>,
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

    fn decide_self_signup(request: SelfSignupRequest) -> Result<(), Denial> {
        let settings: Settings =
            settings::binding().map_err(|e| Denial::new("invalid_settings", e.to_string()))?;
        let answer = decide_self_signup(&settings, &request);
        if let Err(denial) = &answer {
            log::info(format!("denied self sign-up: {}", denial.code));
        }
        answer
    }
}

portico_plugin_sdk::export_signup_policy!(DomainPolicy);

/// The lower-cased domain of an email with a non-empty local part and domain.
fn email_domain(email: &str) -> Option<String> {
    match email.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            Some(domain.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// The self sign-up rule itself, without host calls (unit-testable natively).
pub fn decide_self_signup(settings: &Settings, request: &SelfSignupRequest) -> Result<(), Denial> {
    let rule = &settings.self_signup;
    let Some(domain) = email_domain(&request.email) else {
        return Err(Denial::new(
            "invalid_email",
            "the email address is not valid",
        ));
    };
    let refuse = || {
        let code = rule.denial_code.as_deref().unwrap_or("domain_not_allowed");
        let message = rule
            .denial_message
            .as_deref()
            .unwrap_or("self sign-up is not open to email addresses of {domain}");
        Denial::new(code, message.replace("{domain}", &domain))
    };
    let domains = rule
        .allowed_domains
        .as_ref()
        .unwrap_or(&settings.allowed_domains);
    if !domains
        .iter()
        .any(|allowed| domain_matches(allowed, &domain))
    {
        return Err(refuse());
    }
    if !rule.auth_providers.is_empty() && !rule.auth_providers.contains(&request.auth_provider) {
        return Err(refuse());
    }
    for marker in &rule.required_fields {
        if !request
            .fields
            .iter()
            .any(|f| f.marker == *marker && filled(&f.value))
        {
            return Err(Denial::new(
                "missing_field",
                format!("the field {marker} is required to sign up"),
            ));
        }
    }
    Ok(())
}

/// Whether a submitted value holds something (a non-empty text or list).
fn filled(value: &FieldValue) -> bool {
    match value {
        FieldValue::String(s) => !s.trim().is_empty(),
        FieldValue::List(choices) => !choices.is_empty(),
        FieldValue::Image(files) | FieldValue::GroupOfImages(files) | FieldValue::File(files) => {
            !files.is_empty()
        }
        FieldValue::Entity(ids) => !ids.is_empty(),
        FieldValue::TimeInterval(pairs) => !pairs.is_empty(),
        _ => true,
    }
}

/// The policy itself, without host calls (unit-testable natively).
pub fn decide(settings: &Settings, request: &SignupRequest) -> Result<Decision, Denial> {
    let Some(domain) = email_domain(&request.profile_email) else {
        return Err(Denial::new(
            "invalid_email",
            "the profile has no valid email address",
        ));
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

    fn self_signup(email: &str, provider: &str, fields: Vec<Field>) -> SelfSignupRequest {
        SelfSignupRequest {
            email: email.into(),
            auth_provider: provider.into(),
            form_identifier: Some("signup".into()),
            fields,
            lang_code: Some("en_US".into()),
        }
    }

    fn text_field(marker: &str, value: &str) -> Field {
        Field {
            marker: marker.into(),
            field_type: FieldType::String,
            value: FieldValue::String(value.into()),
            settings: "{}".into(),
            form_identifier: None,
            lang_code: None,
        }
    }

    #[test]
    fn self_signups_follow_the_link_domains_by_default() {
        let s = settings(r#"{"allowedDomains":["example.com"]}"#);
        assert!(decide_self_signup(&s, &self_signup("a@example.com", "email", vec![])).is_ok());
        let denial =
            decide_self_signup(&s, &self_signup("a@evil.com", "email", vec![])).unwrap_err();
        assert_eq!(denial.code, "domain_not_allowed");
        assert!(denial.message.contains("evil.com"), "{}", denial.message);
        let bad = decide_self_signup(&s, &self_signup("nobody", "email", vec![])).unwrap_err();
        assert_eq!(bad.code, "invalid_email");
    }

    #[test]
    fn the_self_signup_rule_has_its_own_domains_providers_fields_and_denial() {
        let s = settings(
            r#"{"allowedDomains":["example.com"],"selfSignup":{"allowedDomains":["*.example.org"],
            "authProviders":["email"],"requiredFields":["company"],
            "denialCode":"closed","denialMessage":"not for {domain}"}}"#,
        );
        let company = || vec![text_field("company", "Acme")];
        assert!(
            decide_self_signup(&s, &self_signup("a@eu.example.org", "email", company())).is_ok()
        );
        let other = decide_self_signup(&s, &self_signup("a@example.com", "email", company()));
        let other = other.unwrap_err();
        assert_eq!(
            (other.code.as_str(), other.message.as_str()),
            ("closed", "not for example.com")
        );
        let provider = decide_self_signup(&s, &self_signup("a@eu.example.org", "phone", company()));
        assert_eq!(provider.unwrap_err().code, "closed");
        let empty = vec![text_field("company", "  ")];
        let missing = decide_self_signup(&s, &self_signup("a@eu.example.org", "email", empty));
        assert_eq!(missing.unwrap_err().code, "missing_field");
    }

    #[test]
    fn rejects_unknown_settings_keys() {
        assert!(settings::parse::<Settings>(r#"{"allowedDomain":[]}"#, "t").is_err());
    }
}
