//! Signup policies: every `signupUrl` request runs the tenant's bound `signup-policy` plugins;
//! their decisions combine by taking the strictest of each (shortest TTL, smallest live-link cap,
//! with-sign forbidden if any forbids), and claims merge.

use serde_json::{json, Map, Value};

use crate::domain::error::{DomainError, DomainResult};
use crate::domain::tenants::Tenant;
use crate::domain::Domain;
use portico_core::plugins::{Interface, Outcome};

/// The binding target of signup policies: bind a policy plugin to `signup` (or `*`).
pub const SIGNUP_POLICY_TARGET: &str = "signup";

/// What a policy sees of a `signupUrl` request.
pub(crate) struct SignupRequest<'a> {
    pub profile_id: &'a str,
    pub profile_email: &'a str,
    pub ttl_seconds: u64,
    pub with_sign: bool,
    pub refresh: bool,
    /// Live links the profile will have before this one (0 after a refresh).
    pub live_links: u32,
}

/// The combined decision of every policy.
#[derive(Debug, Default)]
pub(crate) struct PolicyDecision {
    pub max_ttl_seconds: Option<u64>,
    pub forbid_with_sign: bool,
    pub max_live_links: Option<u32>,
    pub claims: Map<String, Value>,
}

fn min_opt<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Domain {
    pub(crate) fn run_signup_policies(
        &self,
        tenant: &Tenant,
        request: &SignupRequest,
    ) -> DomainResult<PolicyDecision> {
        let input = json!({"request": {
            "profileId": request.profile_id,
            "profileEmail": request.profile_email,
            "ttlSeconds": request.ttl_seconds.min(u32::MAX as u64),
            "withSign": request.with_sign,
            "refresh": request.refresh,
            "liveLinks": request.live_links,
        }});
        let mut combined = PolicyDecision::default();
        for run in self.run_plugin_bindings(
            tenant,
            Interface::SignupPolicy,
            SIGNUP_POLICY_TARGET,
            &input,
        )? {
            let report = &run.run.report;
            if !run.passed {
                return Err(if report.outcome == Outcome::Denied {
                    let denial = report
                        .result
                        .as_ref()
                        .map(|r| r["denial"].clone())
                        .unwrap_or_default();
                    DomainError::refused(
                        "signup_denied",
                        denial["message"]
                            .as_str()
                            .unwrap_or("denied by a signup policy")
                            .to_string(),
                    )
                } else {
                    DomainError::refused(
                        "plugin_failed",
                        format!(
                            "a signup policy failed ({}: {}) and its binding fails closed",
                            report.outcome,
                            report.error.as_deref().unwrap_or("no details")
                        ),
                    )
                });
            }
            // A failed fail-open binding passes without a decision.
            let Some(decision) = report
                .result
                .as_ref()
                .map(|r| &r["decision"])
                .filter(|d| d.is_object())
            else {
                continue;
            };
            combined.max_ttl_seconds =
                min_opt(combined.max_ttl_seconds, decision["maxTtlSeconds"].as_u64());
            combined.max_live_links = min_opt(
                combined.max_live_links,
                decision["maxLiveLinks"].as_u64().map(|n| n as u32),
            );
            combined.forbid_with_sign |= decision["forbidWithSign"].as_bool().unwrap_or(false);
            if let Some(claims) = decision["claims"].as_object() {
                combined.claims.extend(claims.clone());
            }
        }
        Ok(combined)
    }
}
