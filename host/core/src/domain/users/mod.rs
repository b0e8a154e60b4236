//! Users (`sys.users`), internal and portal, in layers that depend one way:
//! - `records`: user records over a transaction (load, store, the email index);
//! - `memberships` and `identity_links`: a user's groups and identity-provider links, over the
//!   user records;
//! - `reset_codes`: password reset codes, over the user records;
//! - `views`: a user as the API shows it, with its memberships and links;
//! - `service`: the users' own operations (`impl Users`).
//!
//! The operations on groups, identity providers, passwords and endpoint configurations are in
//! `domain::groups`, `domain::identity_providers`, `domain::passwords` and
//! `domain::endpoint_config`, over the same layers.

pub(crate) mod identity_links;
pub(crate) mod memberships;
pub(crate) mod records;
pub(crate) mod reset_codes;
mod service;
pub(crate) mod views;

pub use records::{UserKind, UserStatus};
pub use service::{NewUser, NewUserAuth, UserFilter, UserPatch};
pub use views::UserView;
