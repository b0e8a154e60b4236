//! Issue 2: the foundation (server, tenants, internal users, groups, identity providers,
//! endpoint configuration, outbox, errors, restart), and a host on a PostgreSQL database.

mod app_tokens;
mod auth_providers;
mod email_lookalikes;
mod endpoint_config;
mod errors;
mod group_commit;
mod groups;
mod identity_providers;
mod passwords;
mod postgres;
mod record_numbers;
mod secrets_at_rest;
mod server;
mod tenants;
mod users;
