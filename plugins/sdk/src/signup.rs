//! Builders for signup-policy answers.

use crate::signup_policy::{Decision, Denial};

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
