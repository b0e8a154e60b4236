//! Password reset codes over a transaction: single use, expiring, stored as digests and named
//! by their user's record. Issuing one replaces the user's earlier code; a code is live while it
//! is its user's current one and has not expired.
//!
//! Resetting and changing passwords with them is in `domain::passwords`.

use chrono::{DateTime, Duration, Utc};

use super::records::{load_user, UserRecord};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::page_links::reset_link;
use crate::domain::secrets::{random_token, token_digest};
pub(crate) use crate::passwords::{ResetCode, ResetPurpose};
use crate::storage::prelude::*;
use crate::tenants::Tenant;

/// Prefix of reset codes.
const RESET_CODE_PREFIX: &str = "prc_";

/// A code just issued, with the link that completes a reset with it.
pub(crate) struct IssuedCode {
    /// The code itself (the store keeps only its digest).
    pub code: String,
    /// The link that completes the reset with this code.
    pub link: String,
    /// When the code stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// Issues a new code for `user`, valid `ttl_seconds` from `now`, replacing (and invalidating)
/// any earlier one.
pub(crate) fn issue_code(
    tx: &mut (impl PasswordWrites + ?Sized),
    tenant: &Tenant,
    pages_base: &str,
    user: &mut UserRecord,
    purpose: ResetPurpose,
    ttl_seconds: u64,
    now: DateTime<Utc>,
) -> DomainResult<IssuedCode> {
    if let Some(old) = user.reset_code_digest.take() {
        tx.delete_reset_code(&tenant.id, &old)?;
    }
    let code = random_token(RESET_CODE_PREFIX);
    let digest = token_digest(&code);
    let expires_at = now + Duration::seconds(ttl_seconds as i64);
    let record = ResetCode {
        user_id: user.id.clone(),
        purpose,
        expires_at,
    };
    tx.insert_reset_code(&tenant.id, &digest, &record)?;
    user.reset_code_digest = Some(digest);
    let link = reset_link(pages_base, &code);
    Ok(IssuedCode {
        code,
        link,
        expires_at,
    })
}

fn invalid_code() -> DomainError {
    DomainError::bad_request(
        "invalid_reset_code",
        "the reset code is invalid or has already been used",
    )
}

/// Finds the live code: it exists, is the user's current one, and has not expired by `now`.
pub(crate) fn find_code(
    tx: &(impl PasswordReads + UserReads + ?Sized),
    tenant: &Tenant,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<(String, ResetCode, UserRecord)> {
    let digest = token_digest(code);
    let record = tx
        .reset_code(&tenant.id, &digest)?
        .ok_or_else(invalid_code)?;
    let user = load_user(tx, &tenant.id, &record.user_id).map_err(|_| invalid_code())?;
    if user.reset_code_digest.as_deref() != Some(digest.as_str()) {
        return Err(invalid_code());
    }
    if record.expires_at <= now {
        return Err(DomainError::bad_request(
            "reset_code_expired",
            "the reset code has expired",
        ));
    }
    Ok((digest, record, user))
}
