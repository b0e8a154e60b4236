//! JSON <-> WIT values for signup requests, hook events and the answers of JSON calls
//! (camelCase JSON, as the dry run, the command-line runner and the rules' callers speak it).
//! Field values go through the core's field model (`field_values`).

use portico_core::fields::json::{array, object, str_at, ConvertResult};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::bindings::lifecycle_hooks as hooks;
use super::bindings::signup_policy as signup;
use super::bindings::types::{ProfileView, UserView, Violation};

/// Violations as `[{"marker", "code", "message"}]`.
pub fn violations_json(violations: &[Violation]) -> Value {
    Value::Array(
        violations
            .iter()
            .map(|v| json!({"marker": v.marker, "code": v.code, "message": v.message}))
            .collect(),
    )
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

/// A decision as `{"maxTtlSeconds", "forbidWithSign", "maxLiveLinks", "claims": {..}}`.
pub fn decision_json(d: &signup::Decision) -> Value {
    let claims: Map<String, Value> = d
        .claims
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({"maxTtlSeconds": d.max_ttl_seconds, "forbidWithSign": d.forbid_with_sign,
        "maxLiveLinks": d.max_live_links, "claims": claims})
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

/// Effects as `[{"type": "add-to-group", "group"} | {"type": "set-field", "marker", "value"} | ...]`.
pub fn effects_json(effects: &[hooks::Effect]) -> Value {
    Value::Array(
        effects
            .iter()
            .map(|e| match e {
                hooks::Effect::AddToGroup(g) => json!({"type": "add-to-group", "group": g}),
                hooks::Effect::RemoveFromGroup(g) => json!({"type": "remove-from-group", "group": g}),
                hooks::Effect::SetField(f) => json!({"type": "set-field", "marker": f.marker,
                    "value": serde_json::from_str::<Value>(&f.value).unwrap_or(Value::String(f.value.clone()))}),
                hooks::Effect::Notify(n) => json!({"type": "notify", "channel": n.channel, "template": n.template,
                    "data": serde_json::from_str::<Value>(&n.data).unwrap_or(Value::String(n.data.clone()))}),
            })
            .collect(),
    )
}

