//! The outbox port: the notifications outbox.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading the notifications outbox.
pub trait OutboxReads {}

/// Writing the notifications outbox.
pub trait OutboxWrites: OutboxReads {}
