//! Record ids and timestamps.

use chrono::{DateTime, Utc};

/// A new record id: a UUIDv7 in simple form, so ids sort by creation time and lists page in
/// creation order.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Whether `id` has the shape of an id Portico issues (32 lowercase hex digits).
pub fn looks_like_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The current time.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}
