//! Portal sign-in: email + password give a short-lived access token and a rotating refresh token;
//! sign-out; the app-link token exchanged for a session; brute-force lockout (`lockout`). Every
//! token is random (256 bits) and stored only as a SHA-256 digest, indexed per user so that
//! blocking a profile or denying access ends all of its user's sessions at once (the tokens
//! themselves are in `tokens`).

pub(crate) mod tokens;

use crate::domain::page_links::{app_link, stored_pages_base};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use self::tokens::{delete_token, end_sessions_where, find_token};
pub use self::tokens::{make_room_for_session, put_token};
use super::lockout::{check_not_locked, clear_failures, record_failure};
use super::profiles::records::{profile_of_user, Profile};
use super::{
    load_settings, DEFAULT_ACCESS_TOKEN_TTL_SECS, DEFAULT_REFRESH_TOKEN_TTL_SECS,
    MAX_APP_TOKEN_TTL_SECS, REFRESH_GRACE_SECS,
};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::new_id;
use crate::domain::secrets::{hash_password, random_token, verify_password};
use crate::domain::tenants::Tenant;
use crate::domain::users::records::{load_user, normalize_email, UserKind, UserRecord, UserStatus};
use crate::domain::Portal;
pub use crate::sessions::{DeviceInfo, SessionMeta};
use crate::sessions::{SessionToken, TokenKind};
use crate::storage::prelude::*;
use crate::storage::StorageReads;

/// A password hash verified when the email is unknown, so a miss costs as long as a hit.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("portico-dummy-password").unwrap_or_default())
}

/// What a successful sign-in, refresh or exchange answers.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionTokens {
    /// The bearer token for the portal's requests; lives `DEFAULT_ACCESS_TOKEN_TTL_SECS`.
    pub access_token: String,
    /// Trades for a new pair once (`portal_refresh`); lives `DEFAULT_REFRESH_TOKEN_TTL_SECS`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The signed-in portal user.
    pub user_id: String,
}

/// The signed-in portal user behind an access token.
#[derive(Debug, Clone)]
pub struct PortalSession {
    /// The tenant whose portal the user signed in to.
    pub tenant: Tenant,
    /// The signed-in user.
    pub user_id: String,
    /// The session (its tokens' family): what sign-out ends.
    pub family: String,
    /// Where and when the session began.
    pub meta: SessionMeta,
}

/// One live session of a user, as `portal_sessions` lists it.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// Whether it is the session asking.
    pub current: bool,
    /// When its last token expires.
    pub expires_at: DateTime<Utc>,
    /// Where and when it began.
    pub meta: SessionMeta,
}

/// Where a new session comes from: recorded with it and listed to its user.
#[derive(Debug, Clone, Default)]
pub struct SessionOrigin {
    /// The auth provider (marker) signed in through, if any.
    pub provider: Option<String>,
    /// The device, as the client described itself.
    pub device: Option<DeviceInfo>,
}

impl SessionOrigin {
    /// The metadata of a session starting at `at`.
    fn meta(&self, at: DateTime<Utc>) -> SessionMeta {
        SessionMeta {
            provider: self.provider.clone(),
            device: self.device.clone(),
            started_at: Some(at),
            rotated: false,
        }
    }
}

/// Issues an access/refresh pair for `user_id`, valid from `at`, in session `family` with its
/// metadata `meta`.
fn issue_pair(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
    family: &str,
    meta: &SessionMeta,
) -> DomainResult<SessionTokens> {
    make_room_for_session(tx, tenant_id, user_id, at)?;
    let access = random_token("pat_");
    let refresh = random_token("prt_");
    for (token, kind, ttl) in [
        (&access, TokenKind::Access, DEFAULT_ACCESS_TOKEN_TTL_SECS),
        (&refresh, TokenKind::Refresh, DEFAULT_REFRESH_TOKEN_TTL_SECS),
    ] {
        let record = SessionToken {
            user_id: user_id.to_string(),
            kind,
            family: family.to_string(),
            expires_at: at + Duration::seconds(ttl as i64),
            meta: SessionMeta {
                rotated: false,
                ..meta.clone()
            },
        };
        put_token(tx, tenant_id, token, &record)?;
    }
    Ok(SessionTokens {
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: DEFAULT_ACCESS_TOKEN_TTL_SECS,
        user_id: user_id.to_string(),
    })
}

fn invalid_refresh_token() -> DomainError {
    DomainError::unauthenticated(
        "invalid_refresh_token",
        "unknown, used or expired refresh token",
    )
}

/// Rotation: ends the session's tokens (its access token included) and moves it to a new family,
/// keeping the traded refresh token in it for `REFRESH_GRACE_SECS`; answers the new family.
fn rotate(
    tx: &mut (impl SessionWrites + ?Sized),
    tenant_id: &str,
    refresh_token: &str,
    record: &SessionToken,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    end_sessions_where(tx, tenant_id, &record.user_id, |s| {
        s.family == record.family
    })?;
    let family = new_id();
    let grace = now + Duration::seconds(REFRESH_GRACE_SECS as i64);
    let kept = SessionToken {
        family: family.clone(),
        expires_at: grace.min(record.expires_at),
        meta: SessionMeta {
            rotated: true,
            ..record.meta.clone()
        },
        ..record.clone()
    };
    put_token(tx, tenant_id, refresh_token, &kept)?;
    Ok(family)
}

/// Whether this user may be in the portal now; the refusal names the reason.
pub(crate) fn check_portal_access<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    user: &UserRecord,
) -> DomainResult<Profile> {
    let refuse = |code: &'static str, message: &str| DomainError::refused(code, message);
    if !load_settings(tx, tenant_id)?.published {
        return Err(refuse("portal_unpublished", "the portal is not published"));
    }
    if user.kind != UserKind::Portal {
        return Err(refuse(
            "not_a_portal_user",
            "this account is not a portal user",
        ));
    }
    match user.status {
        UserStatus::Active => {}
        UserStatus::Invited => {
            return Err(refuse(
                "invitation_pending",
                "the account is not active yet: its invitation or activation code is pending",
            ))
        }
        UserStatus::Blocked => return Err(refuse("user_blocked", "this account is blocked")),
        UserStatus::Inactive => return Err(refuse("user_inactive", "this account is inactive")),
    }
    let profile = profile_of_user(tx, tenant_id, &user.id)?
        .ok_or_else(|| refuse("no_profile", "this account has no external-user profile"))?;
    if profile.blocked {
        return Err(refuse("profile_blocked", "this profile is blocked"));
    }
    if !profile.access_granted {
        return Err(refuse(
            "access_denied",
            "this profile has no access to the portal",
        ));
    }
    Ok(profile)
}

impl Portal {
    /// Portal sign-in with email and password.
    pub fn portal_sign_in(
        &self,
        tenant: &Tenant,
        email: &str,
        password: &str,
    ) -> DomainResult<SessionTokens> {
        self.portal_sign_in_from(tenant, email, password, &SessionOrigin::default())
    }

    /// Portal sign-in with email and password, the new session recording `origin`.
    pub fn portal_sign_in_from(
        &self,
        tenant: &Tenant,
        email: &str,
        password: &str,
        origin: &SessionOrigin,
    ) -> DomainResult<SessionTokens> {
        let invalid =
            || DomainError::unauthenticated("invalid_credentials", "wrong email or password");
        let email = normalize_email(email).map_err(|_| invalid())?;
        let read = self.ctx.store.read()?;
        let settings = load_settings(&*read, &tenant.id)?;
        if !settings.published {
            return Err(DomainError::refused(
                "portal_unpublished",
                "the portal is not published",
            ));
        }
        check_not_locked(&*read, &tenant.id, &email, self.ctx.now())?;
        let user_id = read.user_id_by_email(&tenant.id, &email)?;
        let user = user_id
            .map(|id| load_user(&*read, &tenant.id, &id))
            .transpose()?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        drop(read);
        // Verify even without a user so both paths take an argon2 verification.
        let ok =
            verify_password(password, hash.as_deref().unwrap_or(dummy_hash())) && hash.is_some();

        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        if !ok {
            let refusal = record_failure(&mut *tx, &tenant.id, &email, &settings, invalid(), now)?;
            tx.commit()?;
            return Err(refusal);
        }
        clear_failures(&mut *tx, &tenant.id, &email)?;
        let user = user.ok_or_else(invalid)?;
        if let Err(refusal) = check_portal_access(&*tx, &tenant.id, &user) {
            tx.commit()?;
            return Err(refusal);
        }
        let tokens = issue_pair(
            &mut *tx,
            &tenant.id,
            &user.id,
            now,
            &new_id(),
            &origin.meta(now),
        )?;
        metrics::counter!("portico_sessions_created_total", "via" => "sign_in").increment(1);
        tx.commit()?;
        Ok(tokens)
    }

    /// Trades a refresh token for a new pair of the same session. The old access token stops
    /// working at once; the old refresh token `REFRESH_GRACE_SECS` later: traded again within
    /// that grace (a second tab refreshing at once) it gives another pair of the same session.
    pub fn portal_refresh(
        &self,
        tenant: &Tenant,
        refresh_token: &str,
    ) -> DomainResult<SessionTokens> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let (_, record) = find_token(&*tx, &tenant.id, refresh_token, TokenKind::Refresh, now)?
            .ok_or_else(invalid_refresh_token)?;
        let user = load_user(&*tx, &tenant.id, &record.user_id)?;
        if let Err(refusal) = check_portal_access(&*tx, &tenant.id, &user) {
            end_sessions_where(&mut *tx, &tenant.id, &user.id, |s| {
                s.family == record.family
            })?;
            tx.commit()?;
            return Err(refusal);
        }
        let family = if record.meta.rotated {
            record.family.clone()
        } else {
            rotate(&mut *tx, &tenant.id, refresh_token, &record, now)?
        };
        let tokens = issue_pair(&mut *tx, &tenant.id, &user.id, now, &family, &record.meta)?;
        tx.commit()?;
        Ok(tokens)
    }

    /// Sign-out: ends the session of this access token and its refresh token.
    pub fn portal_sign_out(&self, session: &PortalSession) -> DomainResult<()> {
        let tenant_id = &session.tenant.id;
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        end_sessions_where(&mut *tx, tenant_id, &session.user_id, |s| {
            s.family == session.family
        })?;
        tx.commit()?;
        Ok(())
    }

    /// Sign-out of the session of `refresh_token` (OneEntry's `logout`), when it is one of the
    /// signed-in user's; an unknown or expired token ends nothing (the answer is the same).
    pub fn portal_sign_out_refresh(
        &self,
        session: &PortalSession,
        refresh_token: &str,
    ) -> DomainResult<()> {
        let tenant_id = &session.tenant.id;
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        let now = self.ctx.now();
        if let Some((_, record)) =
            find_token(&*tx, tenant_id, refresh_token, TokenKind::Refresh, now)?
        {
            if record.user_id == session.user_id {
                end_sessions_where(&mut *tx, tenant_id, &record.user_id, |s| {
                    s.family == record.family
                })?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Ends every session of the signed-in user, this one included (`logoutAll`).
    pub fn portal_sign_out_everywhere(&self, session: &PortalSession) -> DomainResult<()> {
        let tenant_id = &session.tenant.id;
        let mut tx = self.ctx.store.write_tenant(tenant_id)?;
        tokens::end_user_sessions(&mut *tx, tenant_id, &session.user_id)?;
        tx.commit()?;
        Ok(())
    }

    /// The signed-in user's live sessions, the oldest first (`getActiveSessionsByMarker`).
    pub fn portal_sessions(&self, session: &PortalSession) -> DomainResult<Vec<ActiveSession>> {
        let tx = self.ctx.store.read()?;
        let now = self.ctx.now();
        let mut by_family: std::collections::BTreeMap<String, ActiveSession> = Default::default();
        for (_, token) in tx.sessions_of_user(&session.tenant.id, &session.user_id)? {
            let Some(token) = token.filter(|t| t.expires_at > now && t.kind != TokenKind::App)
            else {
                continue;
            };
            let entry = by_family
                .entry(token.family.clone())
                .or_insert_with(|| ActiveSession {
                    current: token.family == session.family,
                    expires_at: token.expires_at,
                    meta: token.meta.clone(),
                });
            entry.expires_at = entry.expires_at.max(token.expires_at);
        }
        let mut sessions: Vec<ActiveSession> = by_family.into_values().collect();
        sessions.sort_by_key(|s| s.meta.started_at);
        Ok(sessions)
    }

    /// The portal user behind an access token of the tenant named `namespace`.
    pub fn authenticate_portal_session(
        &self,
        namespace: &str,
        access_token: &str,
    ) -> DomainResult<PortalSession> {
        let invalid = || DomainError::Unauthorized("invalid or expired session".into());
        let tenant = self.tenants.get_tenant(namespace).map_err(|_| invalid())?;
        let tx = self.ctx.store.read()?;
        let (_, record) = find_token(
            &*tx,
            &tenant.id,
            access_token,
            TokenKind::Access,
            self.ctx.now(),
        )?
        .ok_or_else(invalid)?;
        // Blocking or deactivating ends the user's sessions; checking here too means no token
        // outlives a status change, whatever path changed it.
        let user = tx.user(&tenant.id, &record.user_id)?;
        if !user.is_some_and(|u| u.kind == UserKind::Portal && u.status == UserStatus::Active) {
            return Err(invalid());
        }
        Ok(PortalSession {
            tenant,
            user_id: record.user_id,
            family: record.family,
            meta: record.meta,
        })
    }

    /// `generateELMAAppUrl(withAuthToken)`: the portal URL, optionally with a single-use token
    /// valid for at most 5 minutes that `exchange_app_token` trades for a session.
    pub fn portal_app_url(
        &self,
        session: &PortalSession,
        with_auth_token: bool,
    ) -> DomainResult<String> {
        let base = app_link(&stored_pages_base(
            &*self.ctx.store.read()?,
            &self.ctx.public_url,
            &session.tenant,
        )?);
        if !with_auth_token {
            return Ok(base);
        }
        let token = random_token("pap_");
        let now = self.ctx.now();
        let record = SessionToken {
            user_id: session.user_id.clone(),
            kind: TokenKind::App,
            family: new_id(),
            expires_at: now + Duration::seconds(MAX_APP_TOKEN_TTL_SECS as i64),
            meta: SessionMeta::default(),
        };
        let mut tx = self.ctx.store.write_tenant(&session.tenant.id)?;
        make_room_for_session(&mut *tx, &session.tenant.id, &session.user_id, now)?;
        put_token(&mut *tx, &session.tenant.id, &token, &record)?;
        tx.commit()?;
        Ok(format!("{base}?authToken={token}"))
    }

    /// Trades an app-link token (once) for a session.
    pub fn exchange_app_token(&self, tenant: &Tenant, token: &str) -> DomainResult<SessionTokens> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let (digest, record) = find_token(&*tx, &tenant.id, token, TokenKind::App, now)?
            .ok_or_else(|| {
                DomainError::unauthenticated("invalid_auth_token", "unknown, used or expired token")
            })?;
        delete_token(&mut *tx, &tenant.id, &digest, &record.user_id)?;
        let user = load_user(&*tx, &tenant.id, &record.user_id)?;
        if let Err(refusal) = check_portal_access(&*tx, &tenant.id, &user) {
            tx.commit()?;
            return Err(refusal);
        }
        let meta = SessionOrigin::default().meta(now);
        let tokens = issue_pair(&mut *tx, &tenant.id, &user.id, now, &new_id(), &meta)?;
        metrics::counter!("portico_sessions_created_total", "via" => "app_link").increment(1);
        tx.commit()?;
        Ok(tokens)
    }
}
