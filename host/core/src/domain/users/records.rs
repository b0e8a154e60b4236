//! User records over a transaction: loading and storing users, the email index (exact and
//! lookalike), and the email forms. They use no other aggregate: every other module of the
//! domain may build on them.

use chrono::{DateTime, Utc};

use crate::domain::error::{DomainError, DomainResult};
use crate::emails::email_skeleton;
use crate::storage::{
    EmailKey, EmailTaken, NumberSequence, RecordNumberWrites, UserReads, UserWrites,
};
pub use crate::users::{UserKind, UserRecord, UserStatus};

pub use crate::emails::{lookup_form, normalize_email};

/// The user `user_id` of the tenant; 404 when there is none.
pub(crate) fn load_user(
    tx: &(impl UserReads + ?Sized),
    tenant_id: &str,
    user_id: &str,
) -> DomainResult<UserRecord> {
    tx.user(tenant_id, user_id)?
        .ok_or_else(|| DomainError::not_found("user", user_id))
}

/// Stores `user`, updated `now` (its email unchanged: see `change_email`).
pub(crate) fn save_user(
    tx: &mut (impl UserWrites + ?Sized),
    tenant_id: &str,
    user: &mut UserRecord,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    user.updated_at = now;
    tx.update_user(tenant_id, user)?;
    Ok(())
}

/// Stores a new user, its email indexed, with the tenant's next user number (set on `user`).
/// Check `ensure_email_free` first for the clear error.
pub(crate) fn insert_user(
    tx: &mut (impl UserWrites + RecordNumberWrites + ?Sized),
    tenant_id: &str,
    user: &mut UserRecord,
) -> DomainResult<()> {
    user.number = tx.next_number(tenant_id, NumberSequence::Users)?;
    let skeleton = email_skeleton(&user.email);
    tx.insert_user(tenant_id, user, email_key(&user.email, &skeleton))?;
    Ok(())
}

/// Gives `user` the email `email` (in normal form), refused as `ensure_email_free` does when
/// another user has it or a lookalike of it. The caller stores the user (`save_user`).
pub(crate) fn change_email(
    tx: &mut (impl UserWrites + ?Sized),
    tenant_id: &str,
    user: &mut UserRecord,
    email: String,
) -> DomainResult<()> {
    ensure_email_free_for(tx, tenant_id, &email, Some(&user.id))?;
    let (old_skeleton, new_skeleton) = (email_skeleton(&user.email), email_skeleton(&email));
    tx.move_user_email(
        tenant_id,
        &user.id,
        email_key(&user.email, &old_skeleton),
        email_key(&email, &new_skeleton),
    )?;
    user.email = email;
    Ok(())
}

/// Deletes `user` and its email's index entries.
pub(crate) fn remove_user(
    tx: &mut (impl UserWrites + ?Sized),
    tenant_id: &str,
    user: &UserRecord,
) -> DomainResult<()> {
    let skeleton = email_skeleton(&user.email);
    tx.delete_user(tenant_id, &user.id, email_key(&user.email, &skeleton))?;
    Ok(())
}

fn email_key<'a>(email: &'a str, skeleton: &'a str) -> EmailKey<'a> {
    EmailKey { email, skeleton }
}

/// Refuses an email (in normal form) that a user has, or a lookalike of one (`emails`).
pub(crate) fn ensure_email_free(
    tx: &(impl UserReads + ?Sized),
    tenant_id: &str,
    email: &str,
) -> DomainResult<()> {
    ensure_email_free_for(tx, tenant_id, email, None)
}

/// `ensure_email_free`, except that user `owner` may keep its own.
fn ensure_email_free_for(
    tx: &(impl UserReads + ?Sized),
    tenant_id: &str,
    email: &str,
    owner: Option<&str>,
) -> DomainResult<()> {
    let skeleton = email_skeleton(email);
    match tx.email_taken(tenant_id, email_key(email, &skeleton))? {
        Some(EmailTaken::Exact(holder)) if Some(holder.as_str()) != owner => {
            Err(DomainError::conflict(
                "email_taken",
                format!("a user with email '{email}' already exists"),
            ))
        }
        Some(EmailTaken::Lookalike(holder)) if Some(holder.as_str()) != owner => {
            Err(DomainError::conflict(
                "email_taken",
                format!("'{email}' looks like the email of an existing user"),
            ))
        }
        _ => Ok(()),
    }
}
