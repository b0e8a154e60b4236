//! What a plugin answered, in the core's own types: a validator's violations, a signup policy's
//! decision or denial, a before-hook's veto, an after-hook's effects. They mirror the WIT
//! records of `field-validator`, `signup-policy` and `lifecycle-hooks`; the runtime converts
//! the WIT answers to them once, and the rules read them as they are (never as JSON).

use serde_json::Value;

use crate::fields::Violation;

/// The terms a signup policy sets for a link (WIT `signup-policy.decision`). The host applies
/// each one only to tighten what was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// The longest lifetime allowed, in seconds; `None` keeps the requested TTL.
    pub max_ttl_seconds: Option<u32>,
    /// True to refuse a signed link.
    pub forbid_with_sign: bool,
    /// The most live links the profile may have; `None` means no cap.
    pub max_live_links: Option<u32>,
    /// Extra claims to store with the link, as name/value pairs in the plugin's order.
    pub claims: Vec<(String, String)>,
}

/// A signup policy's refusal to issue the link (WIT `signup-policy.denial`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// A stable, machine-readable code, e.g. `domain_not_allowed`.
    pub code: String,
    /// A human-readable reason, returned to the API caller.
    pub message: String,
}

/// A `before-*` hook's refusal of the change (WIT `lifecycle-hooks.veto`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veto {
    /// A human-readable reason, returned to the API caller with a 403.
    pub message: String,
}

/// A value to store in a profile field (WIT `lifecycle-hooks.field-assignment`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldAssignment {
    /// The marker of the field to set.
    pub marker: String,
    /// The new value: the plugin's JSON text parsed, or that text as a JSON string when it is
    /// not JSON.
    pub value: Value,
}

/// A notification to send (WIT `lifecycle-hooks.notification`).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// The channel, e.g. `email`, `sms`, `push`.
    pub channel: String,
    /// The name of the tenant's template to use.
    pub template: String,
    /// The template data: the plugin's JSON text parsed, or that text as a JSON string when it
    /// is not JSON.
    pub data: Value,
}

/// A change an `after-*` hook asks the host to make to the event's profile (and its user,
/// where that applies) (WIT `lifecycle-hooks.effect`).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Adds the profile to a group, named by id or by name.
    AddToGroup(String),
    /// Removes the profile from a group, named by id or by name.
    RemoveFromGroup(String),
    /// Sets a field of the profile.
    SetField(FieldAssignment),
    /// Sends a notification about the profile.
    Notify(Notification),
}

impl Effect {
    /// The effect's WIT case name, e.g. `add-to-group`.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::AddToGroup(_) => "add-to-group",
            Effect::RemoveFromGroup(_) => "remove-from-group",
            Effect::SetField(_) => "set-field",
            Effect::Notify(_) => "notify",
        }
    }
}

/// What a plugin answered to one call.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A validator's violations (none: the fields are accepted).
    Violations(Vec<Violation>),
    /// A signup policy allowed the link, on these terms.
    SignupAllowed(Decision),
    /// A signup policy refused the link, or (from `decide-self-signup`) the self sign-up.
    SignupDenied(Denial),
    /// A signup policy let a self sign-up go on (`decide-self-signup` answered `ok`, or the
    /// policy is built against 0.1.0 and does not take part in self sign-ups).
    SelfSignupAllowed,
    /// A `before-*` hook let the change go on.
    HookAllowed,
    /// A `before-*` hook vetoed the change.
    HookVetoed(Veto),
    /// An `after-*` hook's effects, in the order to apply them.
    Effects(Vec<Effect>),
}

impl Answer {
    /// Whether the answer refuses (violations, a denial, a veto): the call's outcome is then
    /// `denied`.
    pub fn refused(&self) -> bool {
        match self {
            Answer::Violations(violations) => !violations.is_empty(),
            Answer::SignupDenied(_) | Answer::HookVetoed(_) => true,
            Answer::SignupAllowed(_)
            | Answer::SelfSignupAllowed
            | Answer::HookAllowed
            | Answer::Effects(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_violations_denials_and_vetoes() {
        let violation = Violation::new("nickname", "too_short", "too short");
        assert!(Answer::Violations(vec![violation]).refused());
        assert!(!Answer::Violations(Vec::new()).refused());
        let denial = Denial {
            code: "domain_not_allowed".into(),
            message: "no".into(),
        };
        assert!(Answer::SignupDenied(denial).refused());
        assert!(!Answer::SignupAllowed(Decision::default()).refused());
        assert!(!Answer::SelfSignupAllowed.refused());
        let veto = Veto {
            message: "no".into(),
        };
        assert!(Answer::HookVetoed(veto).refused());
        assert!(!Answer::HookAllowed.refused());
        assert!(!Answer::Effects(vec![Effect::AddToGroup("vip".into())]).refused());
    }

    #[test]
    fn effects_are_named_as_in_the_wit() {
        let set = Effect::SetField(FieldAssignment {
            marker: "tier".into(),
            value: Value::from("gold"),
        });
        let notify = Effect::Notify(Notification {
            channel: "email".into(),
            template: "welcome".into(),
            data: Value::Null,
        });
        let names: Vec<&str> = [
            Effect::AddToGroup("a".into()),
            Effect::RemoveFromGroup("a".into()),
            set,
            notify,
        ]
        .iter()
        .map(Effect::name)
        .collect();
        assert_eq!(
            names,
            ["add-to-group", "remove-from-group", "set-field", "notify"]
        );
    }
}
