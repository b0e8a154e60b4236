//! Signup policies: every `signupUrl` request runs the tenant's bound `signup-policy` plugins;
//! their decisions combine by taking the strictest of each (shortest TTL, smallest live-link cap,
//! with-sign forbidden if any forbids), and claims merge. A self sign-up runs the same bindings'
//! `decide-self-signup` (WIT 0.2.0): any denial refuses it; a policy built against 0.1.0 has no
//! such function and lets it through without being run.

use serde_json::{json, Map, Value};

use crate::domain::error::{DomainError, DomainResult};
use crate::domain::tenants::Tenant;
use crate::domain::Portal;
use crate::fields::json::field_value_json;
use crate::fields::Field;
use crate::plugins::{Answer, Decision, Interface, Outcome, Report, DECIDE_SELF_SIGNUP};

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

/// What a policy sees of a self sign-up (WIT 0.2.0 `signup-policy.self-signup-request`).
#[derive(Debug, Clone, PartialEq)]
pub struct SelfSignupRequest {
    /// The email address the user signs up with.
    pub email: String,
    /// The marker of the auth provider the user signs up through, e.g. `email`.
    pub auth_provider: String,
    /// The text identifier of the provider's form, if it has one.
    pub form_identifier: Option<String>,
    /// The submitted form fields, typed (their `settings` are not sent to policies).
    pub fields: Vec<Field>,
    /// The language of the request, e.g. `en_US`, if known.
    pub lang_code: Option<String>,
}

impl SelfSignupRequest {
    /// The JSON input of a `decide-self-signup` call: `{"function": "decide-self-signup",
    /// "request": {"email", "authProvider", "formIdentifier", "fields": [..], "langCode"}}`,
    /// each field as `{"marker", "type", "value", "formIdentifier", "langCode"}`.
    pub fn input(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                json!({"marker": f.marker, "type": f.field_type.name(),
                    "value": field_value_json(&f.value),
                    "formIdentifier": f.form_identifier.as_ref().or(self.form_identifier.as_ref()),
                    "langCode": f.lang_code.as_ref().or(self.lang_code.as_ref())})
            })
            .collect();
        json!({"function": DECIDE_SELF_SIGNUP, "request": {
            "email": self.email,
            "authProvider": self.auth_provider,
            "formIdentifier": self.form_identifier,
            "fields": fields,
            "langCode": self.lang_code,
        }})
    }
}

/// The combined decision of every policy.
#[derive(Debug, Default)]
pub(crate) struct PolicyDecision {
    pub max_ttl_seconds: Option<u64>,
    pub forbid_with_sign: bool,
    pub max_live_links: Option<u32>,
    pub claims: Map<String, Value>,
}

impl PolicyDecision {
    /// Takes one policy's decision into the combined one: the strictest of each term, claims
    /// merged (a later policy's claim replaces an earlier one of the same name).
    fn tighten(&mut self, decision: &Decision) {
        self.max_ttl_seconds = min_opt(
            self.max_ttl_seconds,
            decision.max_ttl_seconds.map(u64::from),
        );
        self.max_live_links = min_opt(self.max_live_links, decision.max_live_links);
        self.forbid_with_sign |= decision.forbid_with_sign;
        self.claims.extend(
            decision
                .claims
                .iter()
                .map(|(name, value)| (name.clone(), Value::String(value.clone()))),
        );
    }
}

/// Why a policy run that did not pass refuses the request: its denial, or its failure under a
/// fail-closed binding.
fn refusal(report: &Report) -> DomainError {
    if report.outcome != Outcome::Denied {
        return DomainError::refused(
            "plugin_failed",
            format!(
                "a signup policy failed ({}: {}) and its binding fails closed",
                report.outcome,
                report.error.as_deref().unwrap_or("no details")
            ),
        );
    }
    let message = match &report.answer {
        Some(Answer::SignupDenied(denial)) => denial.message.clone(),
        _ => "denied by a signup policy".to_string(),
    };
    DomainError::refused("signup_denied", message)
}

fn min_opt<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Portal {
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
        for run in self.plugins.run_plugin_bindings(
            tenant,
            Interface::SignupPolicy,
            SIGNUP_POLICY_TARGET,
            &input,
        )? {
            let report = &run.run.report;
            if !run.passed {
                return Err(refusal(report));
            }
            // A failed fail-open binding passes without a decision.
            if let Some(Answer::SignupAllowed(decision)) = &report.answer {
                combined.tighten(decision);
            }
        }
        Ok(combined)
    }

    /// Runs the tenant's signup policies (bound to `signup` or `*`) on a self sign-up, in
    /// binding order. A denial refuses it (403 `signup_denied` with the policy's message), as
    /// does a failed call under a fail-closed binding (403 `plugin_failed`); a failed call under
    /// a fail-open binding lets it through. Policies built against WIT 0.1.0 have no
    /// `decide-self-signup`: they do not take part (they allow).
    pub fn run_self_signup_policies(
        &self,
        tenant: &Tenant,
        request: &SelfSignupRequest,
    ) -> DomainResult<()> {
        let input = request.input();
        for run in self.plugins.run_plugin_bindings(
            tenant,
            Interface::SignupPolicy,
            SIGNUP_POLICY_TARGET,
            &input,
        )? {
            if !run.passed {
                return Err(refusal(&run.run.report));
            }
        }
        Ok(())
    }
}
