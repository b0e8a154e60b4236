//! The WIT answers of signup policies and lifecycle hooks to the core's typed answer, one to
//! one: the only place that converts them (validators' violations go through `field_values`).
//! JSON text the plugin returns (a set-field value, notification data) is parsed here, once.

use portico_core::plugins::{
    Answer, Decision, Denial, Effect, FieldAssignment, Notification, Veto,
};
use serde_json::Value;

use super::bindings::lifecycle_hooks as hooks;
use super::bindings::signup_policy as signup;
use super::bindings::types::Violation;
use super::field_values::core_violation;

/// A validator's answer.
pub fn violations(violations: Vec<Violation>) -> Answer {
    Answer::Violations(violations.into_iter().map(core_violation).collect())
}

/// A signup policy's answer.
pub fn signup(answer: Result<signup::Decision, signup::Denial>) -> Answer {
    match answer {
        Ok(decision) => Answer::SignupAllowed(decision_of(decision)),
        Err(denial) => Answer::SignupDenied(Denial {
            code: denial.code,
            message: denial.message,
        }),
    }
}

/// A signup policy's answer to a self sign-up (`decide-self-signup`).
pub fn self_signup(answer: Result<(), signup::Denial>) -> Answer {
    match answer {
        Ok(()) => Answer::SelfSignupAllowed,
        Err(denial) => Answer::SignupDenied(Denial {
            code: denial.code,
            message: denial.message,
        }),
    }
}

/// A `before-*` hook's answer.
pub fn before_hook(answer: Result<(), hooks::Veto>) -> Answer {
    match answer {
        Ok(()) => Answer::HookAllowed,
        Err(veto) => Answer::HookVetoed(Veto {
            message: veto.message,
        }),
    }
}

/// An `after-*` hook's answer.
pub fn after_hook(effects: Vec<hooks::Effect>) -> Answer {
    Answer::Effects(effects.into_iter().map(effect_of).collect())
}

/// A decision in the core's type.
pub fn decision_of(d: signup::Decision) -> Decision {
    Decision {
        max_ttl_seconds: d.max_ttl_seconds,
        forbid_with_sign: d.forbid_with_sign,
        max_live_links: d.max_live_links,
        claims: d.claims,
    }
}

/// An effect in the core's type.
pub fn effect_of(e: hooks::Effect) -> Effect {
    match e {
        hooks::Effect::AddToGroup(group) => Effect::AddToGroup(group),
        hooks::Effect::RemoveFromGroup(group) => Effect::RemoveFromGroup(group),
        hooks::Effect::SetField(f) => Effect::SetField(FieldAssignment {
            marker: f.marker,
            value: json_or_string(f.value),
        }),
        hooks::Effect::Notify(n) => Effect::Notify(Notification {
            channel: n.channel,
            template: n.template,
            data: json_or_string(n.data),
        }),
    }
}

/// JSON text parsed, or the text itself as a JSON string when it is not JSON.
fn json_or_string(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn wit_decision(claims: &[(&str, &str)]) -> signup::Decision {
        signup::Decision {
            max_ttl_seconds: Some(600),
            forbid_with_sign: true,
            max_live_links: None,
            claims: claims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_decision_keeps_every_term_and_the_claims_in_order() {
        let answer = signup(Ok(wit_decision(&[("b", "2"), ("a", "1")])));
        let expected = Decision {
            max_ttl_seconds: Some(600),
            forbid_with_sign: true,
            max_live_links: None,
            claims: vec![("b".into(), "2".into()), ("a".into(), "1".into())],
        };
        assert_eq!(answer, Answer::SignupAllowed(expected));
    }

    #[test]
    fn a_denial_keeps_its_code_and_message() {
        let denial = signup::Denial {
            code: "domain_not_allowed".into(),
            message: "example.org is not allowed".into(),
        };
        let Answer::SignupDenied(d) = signup(Err(denial)) else {
            panic!("a denial")
        };
        assert_eq!(
            (d.code.as_str(), d.message.as_str()),
            ("domain_not_allowed", "example.org is not allowed")
        );
    }

    #[test]
    fn a_self_signup_is_allowed_or_denied_with_the_code_and_message() {
        assert_eq!(self_signup(Ok(())), Answer::SelfSignupAllowed);
        let denial = signup::Denial {
            code: "domain_not_allowed".into(),
            message: "no".into(),
        };
        let expected = Denial {
            code: "domain_not_allowed".into(),
            message: "no".into(),
        };
        assert_eq!(self_signup(Err(denial)), Answer::SignupDenied(expected));
    }

    #[test]
    fn a_before_hook_allows_or_vetoes() {
        assert_eq!(before_hook(Ok(())), Answer::HookAllowed);
        let veto = hooks::Veto {
            message: "not on Sundays".into(),
        };
        assert_eq!(
            before_hook(Err(veto)),
            Answer::HookVetoed(Veto {
                message: "not on Sundays".into()
            })
        );
    }

    #[test]
    fn group_effects_keep_the_group() {
        let effects = vec![
            hooks::Effect::AddToGroup("vip".into()),
            hooks::Effect::RemoveFromGroup("trial".into()),
        ];
        assert_eq!(
            after_hook(effects),
            Answer::Effects(vec![
                Effect::AddToGroup("vip".into()),
                Effect::RemoveFromGroup("trial".into()),
            ])
        );
    }

    #[test]
    fn a_set_field_value_is_parsed_when_it_is_json_else_kept_as_a_string() {
        let set = |value: &str| {
            effect_of(hooks::Effect::SetField(hooks::FieldAssignment {
                marker: "tier".into(),
                value: value.into(),
            }))
        };
        let value = |effect: Effect| match effect {
            Effect::SetField(f) => f.value,
            other => panic!("{other:?}"),
        };
        assert_eq!(value(set(r#"{"level": 2}"#)), json!({"level": 2}));
        assert_eq!(value(set("\"gold\"")), json!("gold"));
        assert_eq!(value(set("gold")), json!("gold"));
        assert_eq!(value(set("")), json!(""));
    }

    #[test]
    fn notification_data_is_parsed_when_it_is_json_else_kept_as_a_string() {
        let notify = |data: &str| {
            effect_of(hooks::Effect::Notify(hooks::Notification {
                channel: "email".into(),
                template: "welcome".into(),
                data: data.into(),
            }))
        };
        let expected = |data| {
            Effect::Notify(Notification {
                channel: "email".into(),
                template: "welcome".into(),
                data,
            })
        };
        assert_eq!(notify(r#"{"a": 1}"#), expected(json!({"a": 1})));
        assert_eq!(notify("{not json"), expected(json!("{not json")));
    }
}
