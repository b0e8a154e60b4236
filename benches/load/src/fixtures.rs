//! What the benchmarks seed and send: the operator token, passwords and the allowed domain,
//! the 15-field form (shared with the peer), the update bodies, and a seeded tenant.

use serde_json::{json, Value};

pub const OPERATOR_TOKEN: &str = "bench-operator-token-0123456789";
pub(crate) const PASSWORD: &str = "bench-password-1";
/// The signup policy allows this domain only; every seeded email is in it.
pub const DOMAIN: &str = "bench.example";
/// Profiles in the signup-link and block/unblock pools (one per worker at concurrency 64).
pub(crate) const POOL: usize = 64;
pub const FORM: &str = "profile";

/// The shared field spec of the form (also read by the peer).
pub fn field_spec() -> Value {
    serde_json::from_str(include_str!("../../peer/fields.json")).expect("fields.json")
}

/// The form's 15 fields: each with its plugin settings in `validators` (the native settings only
/// where a type needs them: the options of radio buttons and lists).
pub fn form_definition() -> Value {
    let spec = field_spec();
    let fields: Vec<Value> = spec["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let mut d =
                json!({"marker": f["marker"], "type": f["type"], "validators": f["validators"]});
            if matches!(f["type"].as_str(), Some("radioButton" | "list")) {
                d["settings"] = json!({"options": spec["options"]});
            }
            d
        })
        .collect();
    json!({"identifier": FORM, "title": {"en_US": "Profile"}, "fields": fields})
}

/// The updateUser body: the 15 valid values, or with the one field that has an `invalid` value.
pub fn update_values(invalid: bool) -> Vec<(String, String, Value)> {
    field_spec()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let v = if invalid && f.get("invalid").is_some() {
                f["invalid"].clone()
            } else {
                f["valid"].clone()
            };
            (
                f["marker"].as_str().unwrap().to_string(),
                f["type"].as_str().unwrap().to_string(),
                v,
            )
        })
        .collect()
}

/// A seeded tenant (see `seed::seed`).
#[derive(Default)]
pub(crate) struct Tenant {
    pub(crate) base: String,
    pub(crate) key: String,
    /// (email) of the registered portal users.
    pub(crate) users: Vec<String>,
    pub(crate) link_profiles: Vec<String>,
    pub(crate) block_profiles: Vec<String>,
}

impl Tenant {
    pub(crate) fn auth(&self) -> Vec<(String, String)> {
        vec![("authorization".into(), format!("Bearer {}", self.key))]
    }
}
