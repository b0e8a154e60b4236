//! The tenants port: tenants, their namespaces, API keys and settings.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading tenants, their namespaces, API keys and settings.
pub trait TenantReads {}

/// Writing tenants, their namespaces, API keys and settings.
pub trait TenantWrites: TenantReads {}
