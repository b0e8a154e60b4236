//! The portal port: the portal's settings and pages.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading the portal's settings and pages.
pub trait PortalReads {}

/// Writing the portal's settings and pages.
pub trait PortalWrites: PortalReads {}
