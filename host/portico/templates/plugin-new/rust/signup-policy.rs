//! {{name}}: a signup policy. Signup links and self sign-ups are allowed only
//! for emails of the binding's `allowedDomain` (e.g. `example.com`), and a
//! link lives at most `maxTtlSeconds` (default one day).

use portico_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The binding's settings.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    allowed_domain: String,
    #[serde(default = "default_max_ttl")]
    max_ttl_seconds: u32,
}

fn default_max_ttl() -> u32 {
    86_400
}

struct Policy;

impl SignupPolicy for Policy {
    fn decide(request: SignupRequest) -> Result<Decision, Denial> {
        let settings = settings()?;
        allow_domain(&settings, &request.profile_email)?;
        Ok(Decision::allow().max_ttl(settings.max_ttl_seconds))
    }

    fn decide_self_signup(request: SelfSignupRequest) -> Result<(), Denial> {
        allow_domain(&settings()?, &request.email)
    }
}

/// The binding's settings; unreadable settings refuse (no links rather than links for anyone).
fn settings() -> Result<Settings, Denial> {
    portico_plugin_sdk::settings::binding()
        .map_err(|e| Denial::new("invalid_settings", e.to_string()))
}

fn allow_domain(settings: &Settings, email: &str) -> Result<(), Denial> {
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    if domain.as_deref() == Some(settings.allowed_domain.to_ascii_lowercase().as_str()) {
        return Ok(());
    }
    let message = format!("only {} addresses may sign up", settings.allowed_domain);
    Err(Denial::new("domain_not_allowed", message))
}

portico_plugin_sdk::export_signup_policy!(Policy);
