//! One-time codes for portal users, sent by email through the outbox (OneEntry's
//! `generateCode`, `checkCode`, `activateUser` and `changePassword`). A user has at most one
//! live code per event (`CodeEvent`): a new one replaces it. A code has `CODE_DIGITS` digits,
//! works for `CODE_TTL_SECS`, and burns at the `MAX_WRONG_CODES`th wrong one; a new code for
//! the same user and event is sent at most once per `CODE_RESEND_SECS`.
//!
//! Only a keyed digest of each code is stored (`ServerKeys::code_digest`, bound to the tenant,
//! the user and the event); the code itself is only in the sealed data of its message, and
//! never logged. Sending answers the same whether or not the email is a portal user's, and
//! sends nothing for an unknown email; a wrong, expired or missing code is the same
//! `invalid_code` for a known email as for an unknown one; a send within the resend bound gets
//! the same answer too, and sends nothing.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::sessions::tokens::end_user_sessions;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::notifications::enqueue_email;
use crate::domain::secrets::{check_password_policy, hash_password};
use crate::domain::tenants::Tenant;
use crate::domain::users::records::{lookup_form, save_user, UserKind, UserRecord, UserStatus};
use crate::domain::Portal;
use crate::storage::prelude::*;
use crate::storage::{ServerKeys, UserCode, WriteTransaction};

pub use crate::storage::CodeEvent;

/// Digits of a code. With `MAX_WRONG_CODES`, a guess at random succeeds at most 5 times in
/// 10^8 per code sent.
pub const CODE_DIGITS: u32 = 8;
/// How long a code works after it is sent: 15 minutes.
pub const CODE_TTL_SECS: u64 = 15 * 60;
/// Wrong codes a code takes: the last of them burns it (a right code is refused from then on,
/// until a new one is sent).
pub const MAX_WRONG_CODES: u32 = 5;
/// How soon a new code for the same user and event may be sent: once per 60 seconds; a sooner
/// request sends nothing (and is answered as any other).
pub const CODE_RESEND_SECS: u64 = 60;

/// The event named `name` (OneEntry's `eventIdentifier`); 400 `unknown_event` when none is.
pub fn code_event(name: &str) -> DomainResult<CodeEvent> {
    CodeEvent::from_wire_name(name).ok_or_else(|| {
        DomainError::bad_request(
            "unknown_event",
            format!("there is no code event '{name}'; use activation or password_reset"),
        )
    })
}

/// The template of the message that carries a code for `event`.
fn template(event: CodeEvent) -> &'static str {
    match event {
        CodeEvent::Activation => "activation_code",
        CodeEvent::PasswordReset => "password_reset_code",
    }
}

/// What a code's digest is bound to: the tenant, the user and the event.
fn digest_context(tenant_id: &str, user_id: &str, event: CodeEvent) -> String {
    format!(
        "user_code\u{1f}{tenant_id}\u{1f}{user_id}\u{1f}{}\u{1f}",
        event.wire_name()
    )
}

/// A new random code of `CODE_DIGITS` digits.
fn new_code() -> String {
    let n = rand::rng().random_range(0..10u64.pow(CODE_DIGITS));
    format!("{n:0width$}", width = CODE_DIGITS as usize)
}

/// The refusal of a wrong, expired or missing code (or of an email that is no portal user's).
fn invalid_code() -> DomainError {
    DomainError::bad_request(
        "invalid_code",
        "the code is wrong or expired; ask for a new one",
    )
}

/// Issues a new `event` code for `user` in the caller's write transaction, at `now`: stores
/// its digest (replacing the user's older code for `event`) and queues the email that carries
/// it (template `activation_code` or `password_reset_code`; the code only in the sealed data).
/// The user must be stored first (in `tx` or before). No resend bound here: `send_code` has it.
/// `lang`, when known (the language the person signed up in), is the message's language.
pub fn issue_code(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    user: &UserRecord,
    event: CodeEvent,
    lang: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let code = new_code();
    let stored = UserCode {
        digest: tx
            .keys()
            .code_digest(&digest_context(tenant_id, &user.id, event), &code),
        expires_at: now + Duration::seconds(CODE_TTL_SECS as i64),
        failed_attempts: 0,
        sent_at: now,
    };
    tx.save_user_code(tenant_id, &user.id, event, &stored)?;
    let data = serde_json::json!({
        "userId": user.id,
        "firstName": user.first_name,
        "event": event.wire_name(),
        "code": code,
        "expiresAt": stored.expires_at.to_rfc3339(),
    });
    let mut data = data;
    if let Some(lang) = lang {
        data["langCode"] = lang.into();
    }
    let user_id = Some(user.id.as_str());
    enqueue_email(
        tx,
        tenant_id,
        &user.email,
        user_id,
        template(event),
        data,
        now,
    )
}

/// The portal user whose email `email` is (in any form that normalises to it).
fn find_portal_user(
    tx: &(impl UserReads + ?Sized),
    tenant_id: &str,
    email: &str,
) -> DomainResult<Option<UserRecord>> {
    let Some(id) = tx.user_id_by_email(tenant_id, &lookup_form(email))? else {
        return Ok(None);
    };
    let user = tx.user(tenant_id, &id)?;
    Ok(user.filter(|u| u.kind == UserKind::Portal))
}

/// Whether `user` is sent `event` codes: activation codes while Invited, password reset codes
/// while Active.
fn receives(user: &UserRecord, event: CodeEvent) -> bool {
    match event {
        CodeEvent::Activation => user.status == UserStatus::Invited,
        CodeEvent::PasswordReset => user.status == UserStatus::Active,
    }
}

/// The refusal of a new code sent less than `CODE_RESEND_SECS` after `last`, at `now`; `None`
/// when it may be sent.
fn too_soon(last: Option<&UserCode>, now: DateTime<Utc>) -> bool {
    last.is_some_and(|last| now < last.sent_at + Duration::seconds(CODE_RESEND_SECS as i64))
}

/// Whether `given` is the live `event` code of user `user_id`, at `now`. A wrong code counts
/// against it (the `MAX_WRONG_CODES`th deletes it) and an expired one is deleted, in `tx`: the
/// caller commits before refusing. A right code stays.
fn verify(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    user_id: &str,
    event: CodeEvent,
    given: &str,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let Some(mut code) = tx.user_code(tenant_id, user_id, event)? else {
        return Ok(false);
    };
    if now >= code.expires_at {
        tx.delete_user_code(tenant_id, user_id, event)?;
        return Ok(false);
    }
    if code_matches(tx.keys(), tenant_id, user_id, event, &code, given) {
        return Ok(true);
    }
    code.failed_attempts += 1;
    if code.failed_attempts >= MAX_WRONG_CODES {
        tx.delete_user_code(tenant_id, user_id, event)?;
    } else {
        tx.save_user_code(tenant_id, user_id, event, &code)?;
    }
    Ok(false)
}

/// Whether `given` is the code whose record is `code`.
fn code_matches(
    keys: &dyn ServerKeys,
    tenant_id: &str,
    user_id: &str,
    event: CodeEvent,
    code: &UserCode,
    given: &str,
) -> bool {
    keys.code_digest(&digest_context(tenant_id, user_id, event), given) == code.digest
}

/// A new password `hash` for `user` from a password reset code, in `tx`: the code is used up,
/// a pending reset link too, the user's sessions end and the user is told.
fn set_password(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    user: &mut UserRecord,
    hash: String,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    tx.delete_user_code(tenant_id, &user.id, CodeEvent::PasswordReset)?;
    if let Some(digest) = user.reset_code_digest.take() {
        tx.delete_reset_code(tenant_id, &digest)?;
    }
    user.password_hash = Some(hash);
    user.password_expired = false;
    end_user_sessions(tx, tenant_id, &user.id)?;
    save_user(tx, tenant_id, user, now)?;
    let data = serde_json::json!({ "userId": user.id, "firstName": user.first_name });
    let user_id = Some(user.id.as_str());
    enqueue_email(
        tx,
        tenant_id,
        &user.email,
        user_id,
        "password_changed",
        data,
        now,
    )
}

impl Portal {
    /// `generateCode`: sends a new `event` code to the portal user of `email`, if there is one
    /// who receives such codes (activation: Invited; password reset: Active). The answer is
    /// the same when nothing is sent, and nothing is sent when a code went to the same user for
    /// the same event less than `CODE_RESEND_SECS` ago (a 429 there would tell a caller that the
    /// email has an account).
    pub fn send_code(&self, tenant: &Tenant, email: &str, event: CodeEvent) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let user = find_portal_user(&*tx, &tenant.id, email)?;
        let Some(user) = user.filter(|u| receives(u, event)) else {
            return Ok(());
        };
        let last = tx.user_code(&tenant.id, &user.id, event)?;
        if too_soon(last.as_ref(), now) {
            return Ok(());
        }
        issue_code(&mut *tx, &tenant.id, &user, event, None, now)?;
        tx.commit()?;
        Ok(())
    }

    /// `checkCode`: whether `code` is the live `event` code of the portal user of `email`;
    /// a right code is not used up. A wrong one counts against the code (the
    /// `MAX_WRONG_CODES`th burns it); wrong, expired or missing: 400 `invalid_code`.
    pub fn check_code(
        &self,
        tenant: &Tenant,
        email: &str,
        event: CodeEvent,
        code: &str,
    ) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let Some(user) = find_portal_user(&*tx, &tenant.id, email)? else {
            return Err(invalid_code());
        };
        let right = verify(&mut *tx, &tenant.id, &user.id, event, code, now)?;
        tx.commit()?;
        if right {
            Ok(())
        } else {
            Err(invalid_code())
        }
    }

    /// `activateUser`: the `activation` code of the Invited portal user of `email`, used up;
    /// the user becomes Active. A user who is not Invited answers 409 `already_active`; a
    /// wrong, expired or missing code 400 `invalid_code` (counted as `check_code` counts it).
    pub fn activate_with_code(&self, tenant: &Tenant, email: &str, code: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let Some(mut user) = find_portal_user(&*tx, &tenant.id, email)? else {
            return Err(invalid_code());
        };
        if user.status != UserStatus::Invited {
            return Err(DomainError::conflict(
                "already_active",
                "this user is already activated",
            ));
        }
        let event = CodeEvent::Activation;
        if !verify(&mut *tx, &tenant.id, &user.id, event, code, now)? {
            tx.commit()?;
            return Err(invalid_code());
        }
        tx.delete_user_code(&tenant.id, &user.id, event)?;
        user.status = UserStatus::Active;
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        tx.commit()?;
        Ok(())
    }

    /// `changePassword`: sets `password` for the portal user of `email` with its
    /// `password_reset` code, which is used up; the user's sessions end. `password` and
    /// `repeat` must be equal (400 `passwords_differ`) and meet the tenant's password policy;
    /// a wrong, expired or missing code answers 400 `invalid_code` (counted as `check_code`
    /// counts it).
    pub fn change_password_with_code(
        &self,
        tenant: &Tenant,
        email: &str,
        code: &str,
        password: &str,
        repeat: &str,
    ) -> DomainResult<()> {
        if password != repeat {
            return Err(DomainError::bad_request(
                "passwords_differ",
                "the two passwords are not the same",
            ));
        }
        let settings = self.tenants.tenant_settings(tenant)?;
        check_password_policy(password, settings.password_min_length)?;
        // Hashing is slow: only for a code that is right on a snapshot, and outside the write.
        let hash = match self.code_looks_right(tenant, email, code)? {
            true => Some(hash_password(password)?),
            false => None,
        };
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let Some(mut user) = find_portal_user(&*tx, &tenant.id, email)? else {
            return Err(invalid_code());
        };
        let event = CodeEvent::PasswordReset;
        let right = verify(&mut *tx, &tenant.id, &user.id, event, code, now)?;
        let (true, Some(hash)) = (right, hash) else {
            tx.commit()?;
            return Err(invalid_code());
        };
        set_password(&mut *tx, &tenant.id, &mut user, hash, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether `given` is the live password reset code of the portal user of `email` on a
    /// read snapshot (nothing counted: the write transaction checks it again and counts).
    fn code_looks_right(&self, tenant: &Tenant, email: &str, given: &str) -> DomainResult<bool> {
        let read = self.ctx.store.read()?;
        let Some(user) = find_portal_user(&*read, &tenant.id, email)? else {
            return Ok(false);
        };
        let event = CodeEvent::PasswordReset;
        let Some(code) = read.user_code(&tenant.id, &user.id, event)? else {
            return Ok(false);
        };
        let keys = self.ctx.store.keys();
        Ok(self.ctx.now() < code.expires_at
            && code_matches(keys, &tenant.id, &user.id, event, &code, given))
    }
}
