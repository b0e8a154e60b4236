//! Session tokens over a transaction: storing them (as digests, indexed per user), finding a
//! live one, ending a user's sessions, and making room for a new session under
//! `MAX_LIVE_SESSIONS_PER_USER`. They use no other aggregate: users, profiles and access end
//! sessions through them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::error::DomainResult;
use crate::domain::secrets::token_digest;
use crate::sessions::{SessionToken, TokenKind};
use crate::storage::prelude::*;
use crate::storage::StorageReads;

/// Most live sessions one portal user may have (each sign-in, refresh or app-link exchange is
/// one, an unused app-link token too): a new one ends those that expire first beyond this. Each
/// new session also deletes the user's expired tokens; before, a sign-in's tokens stayed stored
/// until sign-out or refresh, expired or not, so the sessions table grew with every sign-in.
pub const MAX_LIVE_SESSIONS_PER_USER: usize = 50;

/// Stores a session token (under its digest: the token itself is never stored).
pub fn put_token(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    token: &str,
    record: &SessionToken,
) -> DomainResult<()> {
    tx.insert_session_token(tenant_id, &token_digest(token), record)?;
    Ok(())
}

/// Deletes the token stored under `digest` and its entry in `user_id`'s index.
pub(super) fn delete_token(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    digest: &str,
    user_id: &str,
) -> DomainResult<()> {
    tx.delete_session_token(tenant_id, user_id, digest)?;
    Ok(())
}

/// Ends every session (and pending app token) of a user, in the caller's transaction.
pub(crate) fn end_user_sessions(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    user_id: &str,
) -> DomainResult<()> {
    end_sessions_where(tx, tenant_id, user_id, |_| true)
}

/// Ends the sessions (and pending app tokens) of a user that `which` picks; index entries left
/// without a token go too.
pub(super) fn end_sessions_where(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    user_id: &str,
    mut which: impl FnMut(&SessionToken) -> bool,
) -> DomainResult<()> {
    for (digest, record) in tx.sessions_of_user(tenant_id, user_id)? {
        if record.as_ref().is_none_or(&mut which) {
            delete_token(tx, tenant_id, &digest, user_id)?;
        }
    }
    Ok(())
}

/// Makes room for a new session of `user_id` at `at`: deletes the user's expired tokens (and
/// index entries left without a token), then ends the live sessions that expire first, so that
/// with the new one the user has at most `MAX_LIVE_SESSIONS_PER_USER`.
pub fn make_room_for_session(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
) -> DomainResult<()> {
    // Live sessions by family: when the last of its tokens expires, and their digests.
    let mut live: HashMap<String, (DateTime<Utc>, Vec<String>)> = HashMap::new();
    for (digest, token) in tx.sessions_of_user(tenant_id, user_id)? {
        match token {
            Some(token) if token.expires_at > at => {
                let (expires, digests) = live
                    .entry(token.family)
                    .or_insert((token.expires_at, Vec::new()));
                *expires = (*expires).max(token.expires_at);
                digests.push(digest);
            }
            _ => delete_token(tx, tenant_id, &digest, user_id)?,
        }
    }
    let excess = (live.len() + 1).saturating_sub(MAX_LIVE_SESSIONS_PER_USER);
    if excess > 0 {
        let mut by_expiry: Vec<(DateTime<Utc>, Vec<String>)> = live.into_values().collect();
        by_expiry.sort();
        for (_, digests) in by_expiry.into_iter().take(excess) {
            for digest in digests {
                delete_token(tx, tenant_id, &digest, user_id)?;
            }
        }
    }
    Ok(())
}

/// The token of `kind` stored for `token`, if it has not expired by `now`, with its digest.
pub(super) fn find_token<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    token: &str,
    kind: TokenKind,
    now: DateTime<Utc>,
) -> DomainResult<Option<(String, SessionToken)>> {
    let digest = token_digest(token);
    let record = tx.session_token(tenant_id, &digest)?;
    Ok(record
        .filter(|r| r.kind == kind && r.expires_at > now)
        .map(|r| (digest, r)))
}
