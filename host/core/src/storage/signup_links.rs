//! The signup links port: signup links and the index of each profile's links.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading signup links and the index of each profile's links.
pub trait SignupLinkReads {}

/// Writing signup links and the index of each profile's links.
pub trait SignupLinkWrites: SignupLinkReads {}
