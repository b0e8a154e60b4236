//! The endpoint configs port: per-user endpoint configurations.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading per-user endpoint configurations.
pub trait EndpointConfigReads {}

/// Writing per-user endpoint configurations.
pub trait EndpointConfigWrites: EndpointConfigReads {}
