//! Profile records over a transaction: storing a profile, finding the one a seed operation
//! names or the one linked to a user, and linking a profile to a user and back. They use no
//! other aggregate: hooks, sessions, signup links and users build on them.

use chrono::{DateTime, Utc};

use crate::domain::error::{DomainError, DomainResult};
use crate::storage::prelude::*;
use crate::storage::StorageReads;

pub use crate::profiles::Profile;

/// Stores `profile`, updated `now` (its link to a user follows `user_id`).
pub(crate) fn save_profile(
    tx: &mut (impl ProfileWrites + ?Sized),
    tenant_id: &str,
    profile: &mut Profile,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    profile.updated_at = now;
    tx.update_profile(tenant_id, profile)?;
    Ok(())
}

/// The profile named by a seed operation's argument; anything else is a 400 with a clear message.
pub(crate) fn profile_arg<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    id: &str,
) -> DomainResult<Profile> {
    if let Some(profile) = tx.profile(tenant_id, id)? {
        return Ok(profile);
    }
    let what = if tx.user_exists(tenant_id, id)? {
        format!("'{id}' is a user, not an item of the External users collection (_user_profiles); use getByUser to find its profile")
    } else {
        format!("'{id}' is not an item of this tenant's External users collection (_user_profiles)")
    };
    Err(DomainError::bad_request("not_a_profile", what))
}

/// The profile linked to `user_id`, if any.
pub(crate) fn profile_of_user(
    tx: &(impl ProfileReads + ?Sized),
    tenant_id: &str,
    user_id: &str,
) -> DomainResult<Option<Profile>> {
    Ok(tx.profile_of_user(tenant_id, user_id)?)
}

/// Links `profile` to `user_id` (both ways, in the caller's transaction) `now`.
pub(crate) fn link(
    tx: &mut (impl ProfileWrites + ?Sized),
    tenant_id: &str,
    profile: &mut Profile,
    user_id: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if let Some(other) = tx.profile_id_of_user(tenant_id, user_id)? {
        if other != profile.id {
            return Err(DomainError::conflict(
                "user_has_profile",
                "that user is already linked to another profile",
            ));
        }
    }
    if profile.user_id.as_deref().is_some_and(|u| u != user_id) {
        return Err(DomainError::conflict(
            "profile_has_user",
            "the profile is already linked to another user; unlink it first",
        ));
    }
    profile.user_id = Some(user_id.to_string());
    save_profile(tx, tenant_id, profile, now)
}

/// Removes the link of `profile` to its user, if any, `now`.
pub(crate) fn unlink(
    tx: &mut (impl ProfileWrites + ?Sized),
    tenant_id: &str,
    profile: &mut Profile,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    if profile.user_id.take().is_some() {
        save_profile(tx, tenant_id, profile, now)?;
    }
    Ok(())
}
