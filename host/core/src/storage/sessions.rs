//! The sessions port: portal sessions and the index of each user's tokens.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading portal sessions and the index of each user's tokens.
pub trait SessionReads {}

/// Writing portal sessions and the index of each user's tokens.
pub trait SessionWrites: SessionReads {}
