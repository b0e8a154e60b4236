//! Record ids. Timestamps come from the domain's clock (`crate::clock::Clock`), never from here.

/// A new record id: a UUIDv7 in simple form, so ids sort by creation time and lists page in
/// creation order. The time in it is the system's, not the domain clock's: it only orders ids
/// (a record's own timestamps, which the rules read, come from the domain clock), and a clock
/// that only moves forward, as the tests' does, keeps both orders the same.
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
