//! Signup policies with a default for self sign-ups, and builders for their answers.
//!
//! The generated `Guest` trait of `signup-policy` (0.2.0) requires both
//! functions, so this crate offers [`SignupPolicy`], whose
//! `decide_self_signup` allows unless overridden (a policy written for 0.1.0
//! compiles unchanged), and implements the generated trait for every type that
//! implements it.

use crate::signup_policy::{Decision, Denial, Guest, SelfSignupRequest, SignupRequest};

/// A signup policy. Export with `portico_plugin_sdk::export_signup_policy!(YourType);`.
pub trait SignupPolicy {
    /// Decides on one signup-link request (`signupUrl`): the terms, or a denial.
    fn decide(request: SignupRequest) -> Result<Decision, Denial>;

    /// Decides on one self sign-up (`signUp`): `Err` refuses it with a 403
    /// `signup_denied` carrying the denial's message. Allows by default.
    fn decide_self_signup(_request: SelfSignupRequest) -> Result<(), Denial> {
        Ok(())
    }
}

impl<T: SignupPolicy> Guest for T {
    fn decide(request: SignupRequest) -> Result<Decision, Denial> {
        <T as SignupPolicy>::decide(request)
    }
    fn decide_self_signup(request: SelfSignupRequest) -> Result<(), Denial> {
        <T as SignupPolicy>::decide_self_signup(request)
    }
}

impl Decision {
    /// Allows the link exactly as requested.
    pub fn allow() -> Self {
        Decision {
            max_ttl_seconds: None,
            forbid_with_sign: false,
            max_live_links: None,
            claims: Vec::new(),
        }
    }

    /// Caps the link's lifetime at `seconds`.
    pub fn max_ttl(mut self, seconds: u32) -> Self {
        self.max_ttl_seconds = Some(seconds);
        self
    }

    /// Refuses signed links.
    pub fn forbid_with_sign(mut self) -> Self {
        self.forbid_with_sign = true;
        self
    }

    /// Caps the number of live links of the profile.
    pub fn max_live_links(mut self, count: u32) -> Self {
        self.max_live_links = Some(count);
        self
    }

    /// Adds a claim stored with the link.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.claims.push((name.into(), value.into()));
        self
    }
}

impl Denial {
    /// A denial with a stable `code` and a message for the API caller.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Denial {
            code: code.into(),
            message: message.into(),
        }
    }
}
