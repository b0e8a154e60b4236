//! The profiles port: external-user profiles and the index of their users.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading external-user profiles and the index of their users.
pub trait ProfileReads {}

/// Writing external-user profiles and the index of their users.
pub trait ProfileWrites: ProfileReads {}
