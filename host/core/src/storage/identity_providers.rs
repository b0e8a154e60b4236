//! The identity providers port: identity providers, the index of their names, and the index of users' external ids.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading identity providers, the index of their names, and the index of users' external ids.
pub trait IdentityProviderReads {}

/// Writing identity providers, the index of their names, and the index of users' external ids.
pub trait IdentityProviderWrites: IdentityProviderReads {}
