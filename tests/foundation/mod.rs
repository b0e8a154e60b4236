//! Issue 2: the foundation (server, tenants, internal users, groups, identity providers,
//! endpoint configuration, outbox, errors, restart).

mod errors;
mod server;
mod tenants;
