//! Password changes: `resetPassword` (issuing a reset code, `users::reset_codes`), completing a
//! reset through its link, and `updatePassword` with the current password. `resetPassword`,
//! completing a reset and `updatePassword` each reactivate a blocked user, as `sys.users` does.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::error::{DomainError, DomainResult};
use super::notifications::enqueue_email;
use super::page_links::stored_pages_base;
use super::secrets::{check_password_policy, hash_password, verify_password};
use super::tenants::Tenant;
use super::users::records::{
    load_user, normalize_email, save_user, UserKind, UserRecord, UserStatus,
};
use super::users::reset_codes::{find_code, issue_code, IssuedCode, ResetPurpose};
use super::Users;
use crate::storage::WriteTransaction;

/// Answer of `resetPassword`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordResult {
    /// The user's id.
    pub user_id: String,
    /// The user's email.
    pub user_email: String,
    /// The reset code itself (the store keeps only its digest).
    pub reset_code: String,
    /// The link that completes the reset with this code.
    pub link: String,
    /// When the code stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// Answer of `updatePassword` and of completing a reset.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdatePasswordResult {
    /// The user's id.
    pub user_id: String,
    /// The user's email.
    pub user_email: String,
}

/// What a reset link is for, shown to its holder before they choose a password.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetInfo {
    /// The email of the user whose password the link sets.
    pub user_email: String,
    /// `reset` (from `resetPassword`) or `set_password` (a new user's first password).
    pub purpose: &'static str,
    /// When the code stops being valid.
    pub expires_at: DateTime<Utc>,
}

/// Sets a new password hash and clears what a password change clears.
fn apply_new_password(user: &mut UserRecord, hash: String) {
    user.password_hash = Some(hash);
    user.password_expired = false;
    if user.status == UserStatus::Blocked {
        user.status = UserStatus::Active;
    }
}

fn password_changed_notice(
    tx: &mut dyn WriteTransaction,
    tenant: &Tenant,
    user: &UserRecord,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let data = serde_json::json!({ "userId": user.id, "firstName": user.first_name });
    enqueue_email(
        tx,
        &tenant.id,
        &user.email,
        Some(&user.id),
        "password_changed",
        data,
        now,
    )?;
    Ok(())
}

/// After a reset link was mailed through "forgotten password", how long another request for
/// the same user sends nothing: one mail a minute, so the form cannot flood an inbox.
pub const RESET_REQUEST_INTERVAL_SECS: i64 = 60;

impl Users {
    /// "Forgotten password": mails a reset link to the active portal user whose sign-in email
    /// is `email`. It answers the same for any email (it tells nothing of who has an account),
    /// and sends nothing for an email with no such user, for a blocked one (a reset must not
    /// undo an administrator's block), or within `RESET_REQUEST_INTERVAL_SECS` of the last
    /// link it mailed. The mail is written in `lang` (the asking page's language) when given.
    pub fn request_password_reset(
        &self,
        tenant: &Tenant,
        email: &str,
        lang: Option<&str>,
    ) -> DomainResult<()> {
        let Ok(email) = normalize_email(email) else {
            return Ok(());
        };
        let settings = self.tenants.tenant_settings(tenant)?;
        let now = self.ctx.now();
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let Some(user_id) = tx.user_id_by_email(&tenant.id, &email)? else {
            return Ok(());
        };
        let mut user = load_user(&*tx, &tenant.id, &user_id)?;
        if user.kind != UserKind::Portal || user.status != UserStatus::Active {
            return Ok(());
        }
        if let Some(digest) = &user.reset_code_digest {
            let ttl = Duration::seconds(settings.reset_code_ttl_seconds as i64);
            let recent = tx.reset_code(&tenant.id, digest)?.is_some_and(|code| {
                code.purpose == ResetPurpose::Reset
                    && now - (code.expires_at - ttl)
                        < Duration::seconds(RESET_REQUEST_INTERVAL_SECS)
            });
            if recent {
                return Ok(());
            }
        }
        let pages_base = stored_pages_base(&*tx, &self.ctx.public_url, tenant)?;
        let issued = issue_code(
            &mut *tx,
            tenant,
            &pages_base,
            &mut user,
            ResetPurpose::Reset,
            settings.reset_code_ttl_seconds,
            now,
        )?;
        queue_reset_mail(&mut *tx, &tenant.id, &user, &issued, lang, now)?;
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        tx.commit()?;
        Ok(())
    }

    /// `resetPassword`: issues a reset code and its link; with `notify`, queues them to the user.
    /// A blocked user is reactivated at once, as the seed's `resetPassword` does.
    pub fn reset_password(
        &self,
        tenant: &Tenant,
        user_id: &str,
        notify: bool,
    ) -> DomainResult<ResetPasswordResult> {
        let settings = self.tenants.tenant_settings(tenant)?;
        let now = self.ctx.now();
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        if user.status == UserStatus::Blocked {
            user.status = UserStatus::Active;
        }
        let pages_base = stored_pages_base(&*tx, &self.ctx.public_url, tenant)?;
        let issued = issue_code(
            &mut *tx,
            tenant,
            &pages_base,
            &mut user,
            ResetPurpose::Reset,
            settings.reset_code_ttl_seconds,
            now,
        )?;
        if notify {
            queue_reset_mail(&mut *tx, &tenant.id, &user, &issued, None, now)?;
        }
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        tx.commit()?;
        Ok(ResetPasswordResult {
            user_id: user.id,
            user_email: user.email,
            reset_code: issued.code,
            link: issued.link,
            expires_at: issued.expires_at,
        })
    }

    /// What the reset link is for; does not use the code up.
    pub fn password_reset_info(
        &self,
        tenant: &Tenant,
        code: &str,
    ) -> DomainResult<PasswordResetInfo> {
        let tx = self.ctx.store.read()?;
        let (_, record, user) = find_code(&*tx, tenant, code, self.ctx.now())?;
        Ok(PasswordResetInfo {
            user_email: user.email,
            purpose: match record.purpose {
                ResetPurpose::Reset => "reset",
                ResetPurpose::SetPassword => "set_password",
            },
            expires_at: record.expires_at,
        })
    }

    /// Completes a reset: sets the password, uses the code up, reactivates a blocked user.
    pub fn complete_password_reset(
        &self,
        tenant: &Tenant,
        code: &str,
        new_password: &str,
        confirmation: Option<&str>,
    ) -> DomainResult<UpdatePasswordResult> {
        if confirmation.is_some_and(|c| c != new_password) {
            return Err(DomainError::bad_request(
                "password_mismatch",
                "newPasswordConfirmation must equal newPassword",
            ));
        }
        let settings = self.tenants.tenant_settings(tenant)?;
        // Check the code before the (slow) hashing, then again inside the write transaction so
        // two concurrent redemptions cannot both succeed.
        find_code(&*self.ctx.store.read()?, tenant, code, self.ctx.now())?;
        check_password_policy(new_password, settings.password_min_length)?;
        let hash = hash_password(new_password)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let (digest, _, mut user) = find_code(&*tx, tenant, code, now)?;
        tx.delete_reset_code(&tenant.id, &digest)?;
        user.reset_code_digest = None;
        apply_new_password(&mut user, hash);
        password_changed_notice(&mut *tx, tenant, &user, now)?;
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        tx.commit()?;
        Ok(UpdatePasswordResult {
            user_id: user.id,
            user_email: user.email,
        })
    }

    /// `updatePassword`: checks the current password, sets the new one, reactivates a blocked user.
    pub fn update_password(
        &self,
        tenant: &Tenant,
        user_id: &str,
        current_password: &str,
        new_password: &str,
        notify: bool,
    ) -> DomainResult<UpdatePasswordResult> {
        let settings = self.tenants.tenant_settings(tenant)?;
        let user = load_user(&*self.ctx.store.read()?, &tenant.id, user_id)?;
        let Some(stored) = user.password_hash.clone() else {
            return Err(DomainError::bad_request(
                "no_password",
                "the user has no password yet; use resetPassword to set one",
            ));
        };
        if !verify_password(current_password, &stored) {
            return Err(DomainError::bad_request(
                "wrong_current_password",
                "currentPassword is not correct",
            ));
        }
        check_password_policy(new_password, settings.password_min_length)?;
        let hash = hash_password(new_password)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let mut user = load_user(&*tx, &tenant.id, user_id)?;
        if user.password_hash.as_deref() != Some(stored.as_str()) {
            return Err(DomainError::conflict(
                "concurrent_password_change",
                "the password changed while this request ran; try again",
            ));
        }
        // A pending reset code must not outlive a password change.
        if let Some(digest) = user.reset_code_digest.take() {
            tx.delete_reset_code(&tenant.id, &digest)?;
        }
        apply_new_password(&mut user, hash);
        let now = self.ctx.now();
        if notify {
            password_changed_notice(&mut *tx, tenant, &user, now)?;
        }
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        tx.commit()?;
        Ok(UpdatePasswordResult {
            user_id: user.id,
            user_email: user.email,
        })
    }
}

/// Queues the `password_reset` mail of `issued` to `user`, in `lang` when given (else the
/// tenant's mail language).
fn queue_reset_mail(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    user: &UserRecord,
    issued: &IssuedCode,
    lang: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let mut data = serde_json::json!({
        "userId": user.id,
        "firstName": user.first_name,
        "link": issued.link,
        "expiresAt": issued.expires_at.to_rfc3339(),
    });
    if let Some(lang) = lang {
        data["langCode"] = lang.into();
    }
    enqueue_email(
        tx,
        tenant_id,
        &user.email,
        Some(&user.id),
        "password_reset",
        data,
        now,
    )
}
