//! Probes the host's read-only look-ups and reports what it sees, to test that
//! a plugin sees only its own tenant. Not harmful, but it tries to reach data
//! it should not: every `string` field is a probe.
//!
//! - a value with `@` is an email: `find-user-by-email(value)`; found gives a
//!   violation `found` whose message is `{"id", "email", "groups"}` (groups from
//!   `user-groups(id)`), else a violation `not_found`;
//! - any other value is a user id: `user-groups(value)` gives a violation
//!   `groups` whose message is the JSON list of group names.
//!
//! It also reports the other host imports in one violation on marker `_host`,
//! code `host`, message `{"settings": <host.settings() parsed>,
//! "probe": host.setting("probe"), "nowMs": host.now-ms()}`, and logs one line.

use portico_plugin_sdk::host;
use portico_plugin_sdk::prelude::*;

struct Probe;

fn probe(marker: &str, value: &str) -> Violation {
    if value.contains('@') {
        match host::find_user_by_email(value) {
            Some(user) => {
                let groups = host::user_groups(&user.id);
                let message = json!({"id": user.id, "email": user.email, "groups": groups});
                Violation::new(marker, "found", message.to_string())
            }
            None => Violation::new(marker, "not_found", format!("no user with email {value}")),
        }
    } else {
        let groups = host::user_groups(value);
        Violation::new(marker, "groups", json!(groups).to_string())
    }
}

impl FieldValidator for Probe {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let mut out: Vec<Violation> = fields
            .iter()
            .filter_map(|f| match &f.value {
                FieldValue::String(value) => Some(probe(&f.marker, value)),
                _ => None,
            })
            .collect();
        let settings: Json =
            portico_plugin_sdk::serde_json::from_str(&host::settings()).unwrap_or(Json::Null);
        let now = host::now_ms();
        let report = json!({"settings": settings, "probe": host::setting("probe"), "nowMs": now});
        portico_plugin_sdk::log::info(format!("probed {} fields at {now}", out.len()));
        out.push(Violation::new("_host", "host", report.to_string()));
        out
    }
}

portico_plugin_sdk::export_field_validator!(Probe);
