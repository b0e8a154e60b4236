//! Registering through a signup link. An unsigned link (without `withSign`) needs the
//! confirmation code sent to the profile's email through the outbox; a wrong code counts against
//! the link, and `MAX_CONFIRMATION_ATTEMPTS` of them burn it. Registering creates the profile's
//! portal user, or activates its Invited one, with the chosen password, and uses the link up.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;

use super::access::new_portal_user_for_signup;
use super::profiles::records::{link, save_profile, Profile};
use super::signup::links::{delete_link, find_link, invalid_link};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::notifications::enqueue_email;
use crate::domain::secrets::{check_password_policy, hash_password, token_digest};
use crate::domain::tenants::Tenant;
use crate::domain::users::records::{load_user, save_user, UserRecord, UserStatus};
use crate::domain::users::views::{view, UserView};
use crate::domain::Portal;
use crate::signup_links::SignupLink;
use crate::storage::{ServerKeys, WriteTransaction, KEYED_DIGEST_PREFIX};

/// Wrong confirmation codes a link survives; the next one burns the link.
pub const MAX_CONFIRMATION_ATTEMPTS: u32 = 5;
/// Digits of a confirmation code (the attempt limit keeps guessing at 5 in 10^8).
pub const CONFIRMATION_CODE_DIGITS: u32 = 8;

/// Body of "register through a link".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    /// The link's token.
    pub token: String,
    /// The password the user chooses, under the tenant's password policy.
    pub password: String,
    /// The code sent to the profile's email; needed for an unsigned link.
    pub confirmation_code: Option<String>,
}

/// Whether `given` is the confirmation code whose digest is `expected`, for the link stored
/// under `link_digest`. Codes have only 8 digits, so their digest is keyed with the server key
/// (`ServerKeys::code_digest`, bound to the link): a copy of the database alone cannot be
/// searched for them. Digests written before (plain SHA-256, no prefix) keep working until their
/// link expires or a new code is sent.
fn confirmation_matches(
    keys: &dyn ServerKeys,
    link_digest: &str,
    expected: &str,
    given: &str,
) -> bool {
    if expected.starts_with(KEYED_DIGEST_PREFIX) {
        keys.code_digest(link_digest, given) == expected
    } else {
        token_digest(given) == expected
    }
}

/// Checks `given` against the confirmation code of an unsigned link (`link`, stored under
/// `digest`) and answers whether it is right. A wrong code counts against the link, in `tx`, and
/// the last allowed one deletes it: the caller commits that before refusing. Refused when no
/// code was sent for the link yet.
fn confirm_link(
    tx: &mut dyn WriteTransaction,
    keys: &dyn ServerKeys,
    tenant_id: &str,
    digest: &str,
    link: &mut SignupLink,
    profile_id: &str,
    given: &str,
) -> DomainResult<bool> {
    let Some(expected) = link.confirmation_digest.clone() else {
        return Err(DomainError::bad_request(
            "confirmation_required",
            "this link needs the confirmation code sent to the profile's email; request one first",
        ));
    };
    if confirmation_matches(keys, digest, &expected, given) {
        return Ok(true);
    }
    link.failed_confirmations += 1;
    if link.failed_confirmations >= MAX_CONFIRMATION_ATTEMPTS {
        delete_link(tx, tenant_id, digest, profile_id)?;
    } else {
        tx.update_signup_link(tenant_id, digest, link)?;
    }
    Ok(false)
}

/// The user who registers for `profile`: its Invited user, which must still have portal access,
/// or, when the profile has no user, a new portal user stored here.
fn registering_user(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile: &mut Profile,
    now: DateTime<Utc>,
) -> DomainResult<UserRecord> {
    match &profile.user_id {
        Some(user_id) => {
            let user = load_user(&*tx, tenant_id, user_id)?;
            if user.status != UserStatus::Invited {
                return Err(DomainError::conflict(
                    "already_registered",
                    "this profile's user has already registered",
                ));
            }
            // An invited user has access from `addUser` on; only `denyAccess` takes it
            // away, and only `grantAccess` gives it back, not a link.
            if !profile.access_granted {
                return Err(DomainError::refused(
                    "access_denied",
                    "this profile's access to the portal was denied",
                ));
            }
            Ok(user)
        }
        None => new_portal_user_for_signup(tx, tenant_id, profile, now),
    }
}

/// Completes a registration in `tx`: the user gets the password `hash` and becomes active, the
/// profile gets portal access and its link to the user, and the signup link (`digest`) is used
/// up.
fn complete_registration(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    profile: &mut Profile,
    user: &mut UserRecord,
    hash: String,
    digest: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    user.password_hash = Some(hash);
    user.status = UserStatus::Active;
    save_user(tx, tenant_id, user, now)?;
    profile.access_granted = true;
    if profile.user_id.is_none() {
        link(tx, tenant_id, profile, &user.id, now)?;
    } else {
        save_profile(tx, tenant_id, profile, now)?;
    }
    delete_link(tx, tenant_id, digest, &profile.id)
}

impl Portal {
    /// Sends (again) a confirmation code for a link without `withSign` to the profile's email.
    pub fn send_signup_confirmation(&self, tenant: &Tenant, token: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let (digest, mut link, profile) = find_link(&*tx, &tenant.id, token, now)?;
        if link.with_sign {
            return Err(DomainError::bad_request(
                "confirmation_not_needed",
                "this link needs no confirmation",
            ));
        }
        let email = profile.email.clone().ok_or_else(invalid_link)?;
        let code = format!(
            "{:0width$}",
            rand::rng().random_range(0..10u64.pow(CONFIRMATION_CODE_DIGITS)),
            width = CONFIRMATION_CODE_DIGITS as usize
        );
        link.confirmation_digest = Some(self.ctx.store.keys().code_digest(&digest, &code));
        tx.update_signup_link(&tenant.id, &digest, &link)?;
        let data = serde_json::json!({ "profileId": profile.id, "confirmationCode": code });
        enqueue_email(
            &mut *tx,
            &tenant.id,
            &email,
            profile.user_id.as_deref(),
            "signup_confirmation",
            data,
            now,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Registers through a link: creates the profile's portal user, or activates the Invited one,
    /// with the chosen password. The link is used up.
    pub fn register_portal_user(
        &self,
        tenant: &Tenant,
        registration: Registration,
    ) -> DomainResult<UserView> {
        let hash = self.registration_password_hash(tenant, &registration)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let (digest, mut link, mut profile) =
            find_link(&*tx, &tenant.id, &registration.token, now)?;
        if !link.with_sign {
            let given = registration
                .confirmation_code
                .as_deref()
                .unwrap_or_default();
            let keys = self.ctx.store.keys();
            if !confirm_link(
                &mut *tx,
                keys,
                &tenant.id,
                &digest,
                &mut link,
                &profile.id,
                given,
            )? {
                tx.commit()?;
                return Err(DomainError::bad_request(
                    "wrong_confirmation_code",
                    "the confirmation code is not correct",
                ));
            }
        }
        if profile.blocked {
            return Err(DomainError::refused(
                "profile_blocked",
                "the profile is blocked",
            ));
        }
        let mut user = registering_user(&mut *tx, &tenant.id, &mut profile, now)?;
        complete_registration(
            &mut *tx,
            &tenant.id,
            &mut profile,
            &mut user,
            hash,
            &digest,
            now,
        )?;
        let view = view(&*tx, &tenant.id, &user)?;
        tx.commit()?;
        Ok(view)
    }

    /// The hash of the password chosen in `registration`, once its link is found working (on a
    /// read snapshot) and the password meets the tenant's policy. Hashing is slow, so it runs
    /// before the write transaction, which finds the link again.
    fn registration_password_hash(
        &self,
        tenant: &Tenant,
        registration: &Registration,
    ) -> DomainResult<String> {
        let settings = self.tenants.tenant_settings(tenant)?;
        find_link(
            &*self.ctx.store.read()?,
            &tenant.id,
            &registration.token,
            self.ctx.now(),
        )?;
        check_password_policy(&registration.password, settings.password_min_length)?;
        hash_password(&registration.password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys whose digest shows what it was made of (the real key file's HMAC is tested with
    /// the store).
    struct PlainKeys;

    impl ServerKeys for PlainKeys {
        fn code_digest(&self, context: &str, code: &str) -> String {
            format!("{KEYED_DIGEST_PREFIX}{context}/{code}")
        }
        fn seal(&self, plaintext: &[u8]) -> String {
            String::from_utf8_lossy(plaintext).into_owned()
        }
        fn open(&self, sealed: &str) -> Option<Vec<u8>> {
            Some(sealed.as_bytes().to_vec())
        }
    }

    #[test]
    fn confirmation_codes_match_keyed_digests_and_older_plain_ones() {
        let keys = PlainKeys;
        let keyed = keys.code_digest("link-a", "12345678");
        assert!(confirmation_matches(&keys, "link-a", &keyed, "12345678"));
        assert!(!confirmation_matches(&keys, "link-a", &keyed, "12345679"));
        // Bound to its link.
        assert!(!confirmation_matches(&keys, "link-b", &keyed, "12345678"));
        assert_ne!(keyed, token_digest("12345678"));
        let plain = token_digest("12345678");
        assert!(confirmation_matches(&keys, "link-a", &plain, "12345678"));
        assert!(!confirmation_matches(&keys, "link-a", &plain, "00000000"));
    }
}
