//! JSON <-> WIT values for signup requests and hook events, and the typed answers as JSON
//! (camelCase JSON, as the dry run, the command-line runner and the invocation log speak it).
//! Field values go through the core's field model (`field_values`); the WIT answers become the
//! core's typed answer in `answers`.

use portico_core::fields::json::{self, array, object, str_at, ConvertResult};
use portico_core::fields::Violation;
use portico_core::plugins::{Answer, Decision, Effect};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::bindings::lifecycle_hooks as hooks;
use super::bindings::signup_policy as signup;
use super::bindings::types::{ProfileView, UserView};
use super::field_values;

/// An answer as JSON callers see it in `Report::result`: `{"violations": [..]}`,
/// `{"allowed": true, "decision": {..}}`, `{"allowed": false, "denial": {"code", "message"}}`,
/// `{"allowed": true}` (a hook or a self sign-up), `{"allowed": false, "veto": {"message"}}` or
/// `{"effects": [..]}`.
pub fn answer_json(answer: &Answer) -> Value {
    match answer {
        Answer::Violations(vs) => json!({"violations": violations_json(vs)}),
        Answer::SignupAllowed(d) => json!({"allowed": true, "decision": decision_json(d)}),
        Answer::SignupDenied(d) => {
            json!({"allowed": false, "denial": {"code": d.code, "message": d.message}})
        }
        Answer::HookAllowed | Answer::SelfSignupAllowed => json!({"allowed": true}),
        Answer::HookVetoed(v) => json!({"allowed": false, "veto": {"message": v.message}}),
        Answer::Effects(effects) => json!({"effects": effects_json(effects)}),
    }
}

/// Violations as `[{"marker", "code", "message"}]`.
pub fn violations_json(violations: &[Violation]) -> Value {
    Value::Array(
        violations
            .iter()
            .map(|v| json!({"marker": v.marker, "code": v.code, "message": v.message}))
            .collect(),
    )
}

/// A decision as `{"maxTtlSeconds", "forbidWithSign", "maxLiveLinks", "claims": {..}}`.
pub fn decision_json(d: &Decision) -> Value {
    let claims: Map<String, Value> = d
        .claims
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({"maxTtlSeconds": d.max_ttl_seconds, "forbidWithSign": d.forbid_with_sign,
        "maxLiveLinks": d.max_live_links, "claims": claims})
}

/// Effects as `[{"type": "add-to-group", "group"} | {"type": "set-field", "marker", "value"} |
/// {"type": "notify", "channel", "template", "data"} | ...]`.
pub fn effects_json(effects: &[Effect]) -> Value {
    Value::Array(effects.iter().map(effect_json).collect())
}

fn effect_json(effect: &Effect) -> Value {
    let kind = effect.name();
    match effect {
        Effect::AddToGroup(g) | Effect::RemoveFromGroup(g) => json!({"type": kind, "group": g}),
        Effect::SetField(f) => json!({"type": kind, "marker": f.marker, "value": f.value}),
        Effect::Notify(n) => json!({"type": kind, "channel": n.channel,
            "template": n.template, "data": n.data}),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignupRequestJson {
    profile_id: String,
    profile_email: String,
    ttl_seconds: u32,
    #[serde(default)]
    with_sign: bool,
    #[serde(default)]
    refresh: bool,
    #[serde(default)]
    live_links: u32,
}

/// A signup request: `{"request": {"profileId", "profileEmail", "ttlSeconds", "withSign",
/// "refresh", "liveLinks"}}`.
pub fn signup_request(input: &Value) -> ConvertResult<signup::SignupRequest> {
    let r = input
        .get("request")
        .ok_or("the input needs \"request\": {...}")?;
    let r: SignupRequestJson =
        serde_json::from_value(r.clone()).map_err(|e| format!("request: {e}"))?;
    Ok(signup::SignupRequest {
        profile_id: r.profile_id,
        profile_email: r.profile_email,
        ttl_seconds: r.ttl_seconds,
        with_sign: r.with_sign,
        refresh: r.refresh,
        live_links: r.live_links,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SelfSignupRequestJson {
    email: String,
    auth_provider: String,
    #[serde(default)]
    form_identifier: Option<String>,
    #[serde(default)]
    fields: Value,
    #[serde(default)]
    lang_code: Option<String>,
}

/// A self sign-up: `{"function": "decide-self-signup", "request": {"email", "authProvider",
/// "formIdentifier", "fields": [..], "langCode"}}`, the fields in the validators' shape.
pub fn self_signup_request(input: &Value) -> ConvertResult<signup::SelfSignupRequest> {
    let r = input
        .get("request")
        .ok_or("the input needs \"request\": {...}")?;
    let r: SelfSignupRequestJson =
        serde_json::from_value(r.clone()).map_err(|e| format!("request: {e}"))?;
    let fields = match r.fields {
        Value::Null => Vec::new(),
        list => json::fields(&json!({ "fields": list })).map_err(|e| format!("request.{e}"))?,
    };
    Ok(signup::SelfSignupRequest {
        email: r.email,
        auth_provider: r.auth_provider,
        form_identifier: r.form_identifier,
        fields: field_values::wit_fields(fields),
        lang_code: r.lang_code,
    })
}

fn strings(v: Option<&Value>, path: &str) -> ConvertResult<Vec<String>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => array(v, path)?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{path} must hold strings"))
            })
            .collect(),
    }
}

fn data_text(v: Option<&Value>, path: &str) -> ConvertResult<String> {
    match v {
        None | Some(Value::Null) => Ok("{}".into()),
        Some(v @ Value::Object(_)) => Ok(v.to_string()),
        Some(_) => Err(format!("{path} must be an object")),
    }
}

fn user_view(v: &Value, path: &str) -> ConvertResult<UserView> {
    let o = object(v, path)?;
    Ok(UserView {
        id: str_at(o, "id", path, true)?.to_string(),
        email: str_at(o, "email", path, false)?.to_string(),
        status: str_at(o, "status", path, false)?.to_string(),
        groups: strings(o.get("groups"), &format!("{path}.groups"))?,
        data: data_text(o.get("data"), &format!("{path}.data"))?,
    })
}

fn profile_view(v: &Value, path: &str) -> ConvertResult<ProfileView> {
    let o = object(v, path)?;
    Ok(ProfileView {
        id: str_at(o, "id", path, true)?.to_string(),
        email: str_at(o, "email", path, false)?.to_string(),
        status: str_at(o, "status", path, false)?.to_string(),
        user_id: o.get("userId").and_then(Value::as_str).map(str::to_string),
        groups: strings(o.get("groups"), &format!("{path}.groups"))?,
        data: data_text(o.get("data"), &format!("{path}.data"))?,
    })
}

/// A hook event: `{"profile": {..}, "user": {..}|null, "actor": {"kind", "id"}, "details": {..}}`.
pub fn hook_event(input: &Value) -> ConvertResult<hooks::HookEvent> {
    let e = object(
        input
            .get("event")
            .ok_or("the input needs \"event\": {...}")?,
        "event",
    )?;
    let profile = profile_view(
        e.get("profile").ok_or("event.profile is required")?,
        "event.profile",
    )?;
    let user = match e.get("user") {
        None | Some(Value::Null) => None,
        Some(u) => Some(user_view(u, "event.user")?),
    };
    let actor = match e.get("actor") {
        None | Some(Value::Null) => hooks::Actor {
            kind: hooks::ActorKind::System,
            id: String::new(),
        },
        Some(a) => {
            let a = object(a, "event.actor")?;
            let kind = match str_at(a, "kind", "event.actor", true)? {
                "operator" => hooks::ActorKind::Operator,
                "api-key" => hooks::ActorKind::ApiKey,
                "portal-user" => hooks::ActorKind::PortalUser,
                "system" => hooks::ActorKind::System,
                other => {
                    return Err(format!(
                    "event.actor.kind '{other}' is not operator, api-key, portal-user or system"
                ))
                }
            };
            hooks::Actor {
                kind,
                id: str_at(a, "id", "event.actor", false)?.to_string(),
            }
        }
    };
    Ok(hooks::HookEvent {
        profile,
        user,
        actor,
        details: data_text(e.get("details"), "event.details")?,
    })
}

/// The JSON shapes of the WIT answers, through the typed answer.
#[cfg(test)]
mod answer_tests {
    use serde_json::json;

    use super::super::answers;
    use super::super::bindings::types::Violation as WitViolation;
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
    fn violations_as_json() {
        let violation = WitViolation {
            marker: "nickname".into(),
            code: "too_short".into(),
            message: "at least 3 characters".into(),
        };
        assert_eq!(
            answer_json(&answers::violations(vec![violation])),
            json!({"violations": [
                {"marker": "nickname", "code": "too_short", "message": "at least 3 characters"}
            ]})
        );
        assert_eq!(
            answer_json(&answers::violations(Vec::new())),
            json!({"violations": []})
        );
    }

    #[test]
    fn an_allowed_signup_as_json() {
        let answer = answers::signup(Ok(wit_decision(&[("plan", "pro"), ("team", "a")])));
        assert_eq!(
            answer_json(&answer),
            json!({"allowed": true, "decision": {"maxTtlSeconds": 600, "forbidWithSign": true,
                "maxLiveLinks": null, "claims": {"plan": "pro", "team": "a"}}})
        );
    }

    #[test]
    fn a_repeated_claim_keeps_its_last_value_in_json() {
        let decision = answers::decision_of(wit_decision(&[("plan", "free"), ("plan", "pro")]));
        assert_eq!(decision_json(&decision)["claims"], json!({"plan": "pro"}));
    }

    #[test]
    fn a_denied_signup_as_json() {
        let denial = signup::Denial {
            code: "domain_not_allowed".into(),
            message: "example.org is not allowed".into(),
        };
        assert_eq!(
            answer_json(&answers::signup(Err(denial))),
            json!({"allowed": false, "denial": {"code": "domain_not_allowed",
                "message": "example.org is not allowed"}})
        );
    }

    #[test]
    fn before_hook_answers_as_json() {
        assert_eq!(
            answer_json(&answers::before_hook(Ok(()))),
            json!({"allowed": true})
        );
        let veto = hooks::Veto {
            message: "not on Sundays".into(),
        };
        assert_eq!(
            answer_json(&answers::before_hook(Err(veto))),
            json!({"allowed": false, "veto": {"message": "not on Sundays"}})
        );
    }

    #[test]
    fn effects_as_json() {
        let effects = vec![
            hooks::Effect::AddToGroup("vip".into()),
            hooks::Effect::RemoveFromGroup("trial".into()),
            hooks::Effect::SetField(hooks::FieldAssignment {
                marker: "tier".into(),
                value: "{\"level\": 2}".into(),
            }),
            hooks::Effect::SetField(hooks::FieldAssignment {
                marker: "note".into(),
                value: "plain text".into(),
            }),
            hooks::Effect::Notify(hooks::Notification {
                channel: "email".into(),
                template: "welcome".into(),
                data: "{\"name\": \"Ann\"}".into(),
            }),
        ];
        assert_eq!(
            answer_json(&answers::after_hook(effects)),
            json!({"effects": [
                {"type": "add-to-group", "group": "vip"},
                {"type": "remove-from-group", "group": "trial"},
                {"type": "set-field", "marker": "tier", "value": {"level": 2}},
                {"type": "set-field", "marker": "note", "value": "plain text"},
                {"type": "notify", "channel": "email", "template": "welcome",
                    "data": {"name": "Ann"}},
            ]})
        );
        assert_eq!(
            answer_json(&answers::after_hook(Vec::new())),
            json!({"effects": []})
        );
    }
}
