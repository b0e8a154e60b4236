//! Target: the WIT conversion. Host values to WIT values (a signup request, a self sign-up with
//! its fields, a hook event, validator fields: `convert`, `field_values`), and arbitrary guest
//! answers (violations, decisions, denials, vetoes, effects) back to the core's typed answer
//! (`answers`) and to the JSON of a report (`convert::answer_json`).
//!
//! Properties: no panic; each converted field keeps its type (the WIT value is the variant of
//! the WIT field type); every answer renders to JSON that keeps each item, and a set-field value
//! or notification data is the guest's JSON text parsed, or that text as a string.

use portico_core::plugins::Answer;
use portico_wasm_runtime::bindings::lifecycle_hooks::{
    Effect, FieldAssignment, Notification, Veto,
};
use portico_wasm_runtime::bindings::signup_policy::{Decision, Denial};
use portico_wasm_runtime::bindings::types::{FieldType, FieldValue, Violation};
use portico_wasm_runtime::{answers, convert, field_values};
use serde_json::Value;

/// The keys and strings of the requests, events and answers.
const VOCABULARY: &[&str] = &[
    "request",
    "profileId",
    "profileEmail",
    "ttlSeconds",
    "withSign",
    "refresh",
    "liveLinks",
    "email",
    "authProvider",
    "formIdentifier",
    "fields",
    "langCode",
    "event",
    "profile",
    "user",
    "actor",
    "kind",
    "id",
    "status",
    "groups",
    "data",
    "details",
    "userId",
    "operator",
    "api-key",
    "portal-user",
    "system",
    "marker",
    "type",
    "value",
    "string",
    "integer",
    "date",
    "list",
    "entity",
    "timeInterval",
    "fullDate",
    "title",
    "{\"a\":[1,2]}",
    "[",
    "null",
    "1e5",
];

/// Checks one input: the first byte picks requests (JSON) or a guest answer (decoded bytes).
pub fn check(bytes: &[u8]) {
    let Some((&mode, rest)) = bytes.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        requests(rest);
    } else {
        guest_answer(rest);
    }
}

fn requests(bytes: &[u8]) {
    let Some(input) = crate::json_input::value(bytes, VOCABULARY) else {
        return;
    };
    let _ = convert::signup_request(&input);
    let _ = convert::hook_event(&input);
    if let Ok(request) = convert::self_signup_request(&input) {
        request
            .fields
            .iter()
            .for_each(|f| assert_kind(f.field_type, &f.value));
    }
    if let Ok(fields) = portico_core::fields::json::fields(&input) {
        for f in field_values::wit_fields(fields) {
            assert_kind(f.field_type, &f.value);
        }
    }
}

/// The WIT value is the variant of the WIT field type.
fn assert_kind(t: FieldType, v: &FieldValue) {
    let same = matches!(
        (t, v),
        (FieldType::String, FieldValue::String(_))
            | (FieldType::Integer, FieldValue::Integer(_))
            | (FieldType::Float, FieldValue::Float(_))
            | (FieldType::Date, FieldValue::Date(_))
            | (FieldType::DateTime, FieldValue::DateTime(_))
            | (FieldType::Time, FieldValue::Time(_))
            | (FieldType::Text, FieldValue::Text(_))
            | (FieldType::TextWithHeader, FieldValue::TextWithHeader(_))
            | (FieldType::Image, FieldValue::Image(_))
            | (FieldType::GroupOfImages, FieldValue::GroupOfImages(_))
            | (FieldType::File, FieldValue::File(_))
            | (FieldType::RadioButton, FieldValue::RadioButton(_))
            | (FieldType::List, FieldValue::List(_))
            | (FieldType::Entity, FieldValue::Entity(_))
            | (FieldType::TimeInterval, FieldValue::TimeInterval(_))
    );
    assert!(same, "{t:?} holds {v:?}");
}

/// Reads guest answers from bytes: strings from the vocabulary or raw (lossy UTF-8).
struct Guest<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Guest<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn string(&mut self) -> String {
        let choice = usize::from(self.byte());
        if choice < 128 {
            return VOCABULARY[choice % VOCABULARY.len()].to_string();
        }
        let len = usize::from(self.byte() % 24);
        let raw: Vec<u8> = (0..len).map(|_| self.byte()).collect();
        String::from_utf8_lossy(&raw).into_owned()
    }

    fn count(&mut self) -> usize {
        usize::from(self.byte() % 6)
    }

    fn number(&mut self) -> Option<u32> {
        let b = self.byte();
        (b & 1 == 1).then(|| u32::from_le_bytes([b, self.byte(), self.byte(), self.byte()]))
    }

    fn effect(&mut self) -> Effect {
        match self.byte() % 4 {
            0 => Effect::AddToGroup(self.string()),
            1 => Effect::RemoveFromGroup(self.string()),
            2 => Effect::SetField(FieldAssignment {
                marker: self.string(),
                value: self.string(),
            }),
            _ => Effect::Notify(Notification {
                channel: self.string(),
                template: self.string(),
                data: self.string(),
            }),
        }
    }
}

fn guest_answer(bytes: &[u8]) {
    let mut g = Guest { bytes, at: 0 };
    match g.byte() % 5 {
        0 => {
            let n = g.count();
            let vs: Vec<Violation> = (0..n)
                .map(|_| Violation {
                    marker: g.string(),
                    code: g.string(),
                    message: g.string(),
                })
                .collect();
            let json = convert::answer_json(&answers::violations(vs));
            assert_eq!(json["violations"].as_array().map(Vec::len), Some(n));
        }
        1 => {
            let answer = if g.byte() & 1 == 0 {
                let n = g.count();
                Ok(Decision {
                    max_ttl_seconds: g.number(),
                    forbid_with_sign: g.byte() & 1 == 1,
                    max_live_links: g.number(),
                    claims: (0..n).map(|_| (g.string(), g.string())).collect(),
                })
            } else {
                Err(Denial {
                    code: g.string(),
                    message: g.string(),
                })
            };
            let _ = convert::answer_json(&answers::signup(answer));
        }
        2 => {
            let veto = (g.byte() & 1 == 1).then(|| Veto {
                message: g.string(),
            });
            let json = convert::answer_json(&answers::before_hook(veto.map_or(Ok(()), Err)));
            assert!(json["allowed"].is_boolean());
        }
        3 => {
            let denial = (g.byte() & 1 == 1).then(|| Denial {
                code: g.string(),
                message: g.string(),
            });
            let _ = convert::answer_json(&answers::self_signup(denial.map_or(Ok(()), Err)));
        }
        _ => effects(&mut g),
    }
}

/// Effects keep their order, kind, and JSON text (parsed, or as a string).
fn effects(g: &mut Guest<'_>) {
    let n = g.count();
    let effects: Vec<Effect> = (0..n).map(|_| g.effect()).collect();
    let texts: Vec<Option<String>> = effects
        .iter()
        .map(|e| match e {
            Effect::SetField(f) => Some(f.value.clone()),
            Effect::Notify(n) => Some(n.data.clone()),
            _ => None,
        })
        .collect();
    let answer = answers::after_hook(effects);
    let Answer::Effects(typed) = &answer else {
        panic!("an after-hook answers effects");
    };
    let json = convert::answer_json(&answer);
    let items = json["effects"].as_array().expect("effects as a list");
    assert_eq!(items.len(), n);
    for ((item, effect), text) in items.iter().zip(typed).zip(texts) {
        assert_eq!(item["type"], effect.name());
        if let Some(text) = text {
            let key = if item["type"] == "notify" {
                "data"
            } else {
                "value"
            };
            let expected = serde_json::from_str(&text).unwrap_or(Value::String(text));
            assert_eq!(item[key], expected);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn wit_conversion() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check(bytes));
    }
}
