//! The signed-in portal user's own data (seed 004): `updateUser` and sign-in by form markers.
//!
//! `updateUser` checks everything first, on a read snapshot (the form's fields natively and with
//! the tenant's validator plugins, the password and login markers of `authData`, the contact
//! channels of `notificationData`), answers every violation together (422), then runs
//! `before-update-user` (a veto answers 403, `user_update`), and only then writes it all in one
//! transaction: form data, password, login email, contacts, state, and the queued
//! `after-update-user`.

use serde::Deserialize;
use serde_json::Value;

use super::sessions::{PortalSession, SessionOrigin, SessionTokens};
use super::user_update::{queue_after_user_update, AfterUserUpdate, UpdateActor, UserChanges};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::forms::{
    load_form, prepare_user_form_update, write_prepared_form_update, Form, FormDataOwner,
    PreparedFormUpdate, Violation,
};
use crate::domain::plugins::PluginValidators;
use crate::domain::secrets::{check_password_policy, hash_password};
use crate::domain::tenants::Tenant;
use crate::domain::users::records::{change_email, load_user, normalize_email, save_user};
use crate::domain::Portal;
use crate::storage::StorageReads;

/// Most phone numbers in `notificationData.phonePush`.
pub const MAX_PUSH_PHONES: usize = 20;

/// One `authData` entry: a form marker and its value.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuthDatum {
    /// The form's login or password marker.
    pub marker: String,
    /// The value for it: a string (anything else is a violation).
    pub value: Value,
}

/// `notificationData`: the user's contact channels. (The seed's first example puts `state` in
/// here; it is accepted there too.)
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationData {
    /// Contact email, stored in normal form (not the sign-in email).
    pub email: Option<String>,
    /// Phone numbers for push messages: at most `MAX_PUSH_PHONES`, each `+` and 6 to 15 digits.
    pub phone_push: Option<Vec<String>>,
    /// The phone number for text messages, `+` and 6 to 15 digits.
    #[serde(rename = "phoneSMS")]
    pub phone_sms: Option<String>,
    /// The user's free JSON `state`, used when the body has no `state` of its own.
    pub state: Option<Value>,
}

/// Body of `updateUser`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserBody {
    /// The form whose markers `authData` names and whose data `formData` writes.
    pub form_identifier: String,
    /// The language of `formData` when it is not keyed by language (`en_US` by default; wins
    /// over the query's `langCode`).
    pub lang_code: Option<String>,
    /// A new password and a new sign-in email, under the form's password and login markers.
    #[serde(default)]
    pub auth_data: Vec<AuthDatum>,
    /// Form data to merge into the user's data for the form (a value replaces, `null` clears).
    pub form_data: Option<Value>,
    /// New contact channels (they replace the old ones as a whole).
    pub notification_data: Option<NotificationData>,
    /// Free JSON kept for the user.
    pub state: Option<Value>,
}

/// A phone number: an optional `+` then 6 to 15 digits (E.164 length).
fn is_phone(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn text_value<'v>(
    datum: &'v AuthDatum,
    violations: &mut Vec<Violation>,
) -> Option<&'v str> {
    let text = datum.value.as_str();
    if text.is_none() {
        violations.push(Violation::new(
            &datum.marker,
            "invalid_value",
            "the value must be a string",
        ));
    }
    text
}

/// Checks `notificationData`; answers its JSON as stored.
pub(super) fn check_contacts(data: &NotificationData, violations: &mut Vec<Violation>) -> Value {
    let mut stored = serde_json::Map::new();
    if let Some(email) = &data.email {
        match normalize_email(email) {
            Ok(email) => {
                stored.insert("email".into(), email.into());
            }
            Err(e) => violations.push(Violation::new(
                "notificationData.email",
                "invalid_email",
                e.to_string(),
            )),
        }
    }
    if let Some(phones) = &data.phone_push {
        if phones.len() > MAX_PUSH_PHONES {
            violations.push(Violation::new(
                "notificationData.phonePush",
                "too_many_items",
                format!("at most {MAX_PUSH_PHONES} numbers"),
            ));
        }
        for (i, phone) in phones.iter().enumerate() {
            if !is_phone(phone) {
                violations.push(Violation::new(
                    &format!("notificationData.phonePush[{i}]"),
                    "invalid_phone",
                    format!("'{phone}' is not a phone number (+ and 6 to 15 digits)"),
                ));
            }
        }
        stored.insert("phonePush".into(), phones.clone().into());
    }
    if let Some(phone) = &data.phone_sms {
        if !is_phone(phone) {
            violations.push(Violation::new(
                "notificationData.phoneSMS",
                "invalid_phone",
                format!("'{phone}' is not a phone number (+ and 6 to 15 digits)"),
            ));
        }
        stored.insert("phoneSMS".into(), phone.clone().into());
    }
    Value::Object(stored)
}

/// The changes `authData` asks for, each checked.
#[derive(Default)]
pub(super) struct AuthChanges {
    /// The new password, in clear until it is hashed outside the read snapshot.
    pub password: Option<String>,
    /// The new sign-in email, in normal form.
    pub email: Option<String>,
}

/// Everything `updateUser` writes, checked on a read snapshot with no violation found.
struct CheckedUpdate {
    /// The form's login marker: it names the violation when the email is taken in the write.
    login_marker: Option<String>,
    /// The form data to write, when the body has some.
    prepared: Option<PreparedFormUpdate>,
    /// The password and login email changes.
    auth: AuthChanges,
    /// `notificationData` as stored, when the body has it.
    contacts: Option<Value>,
    /// The new `state`, when the body has one.
    state: Option<Value>,
    /// What the update sets, as its lifecycle hooks see it, when the tenant's user updates run
    /// hooks (taken for `before-update-user`).
    changes: Option<UserChanges>,
}

/// What an `updateUser` sets, as its hooks see it (`details.changes`): the form, its
/// submitted values by language, the new login email, `password: true` (never the password),
/// the contacts as stored and the state.
fn hook_changes(session: &PortalSession, form: &Form, update: &CheckedUpdate) -> UserChanges {
    let mut changes = UserChanges::new(
        &session.user_id,
        UpdateActor::PortalUser(session.user_id.clone()),
    );
    changes.set("formIdentifier", Some(form.identifier.clone().into()));
    let form_data = update
        .prepared
        .as_ref()
        .and_then(|p| p.submitted().cloned());
    changes.set("formData", form_data);
    changes.set("email", update.auth.email.clone().map(Value::from));
    changes.set(
        "password",
        update.auth.password.as_ref().map(|_| true.into()),
    );
    changes.set("notificationData", update.contacts.clone());
    changes.set("state", update.state.clone());
    changes
}

/// The new password in `datum` when it is a string that meets the tenant's policy
/// (`min_length`); a refusal by the policy is a violation of the marker.
pub(super) fn check_new_password(
    datum: &AuthDatum,
    min_length: usize,
    violations: &mut Vec<Violation>,
) -> DomainResult<Option<String>> {
    let Some(password) = text_value(datum, violations) else {
        return Ok(None);
    };
    match check_password_policy(password, min_length) {
        Ok(()) => Ok(Some(password.to_string())),
        Err(DomainError::BadRequest { code, message }) => {
            violations.push(Violation::new(&datum.marker, code, message));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The new sign-in email in `datum`, in normal form, unless it is not an email or another user
/// of the tenant has it (both violations of the marker).
fn check_new_login(
    read: &dyn StorageReads,
    session: &PortalSession,
    datum: &AuthDatum,
    violations: &mut Vec<Violation>,
) -> DomainResult<Option<String>> {
    let Some(email) = text_value(datum, violations) else {
        return Ok(None);
    };
    let email = match normalize_email(email) {
        Ok(email) => email,
        Err(e) => {
            violations.push(Violation::new(
                &datum.marker,
                "invalid_email",
                e.to_string(),
            ));
            return Ok(None);
        }
    };
    let owner_of = read.user_id_by_email(&session.tenant.id, &email)?;
    if owner_of.is_some_and(|id| id != session.user_id) {
        violations.push(Violation::new(
            &datum.marker,
            "email_taken",
            "another user has this email",
        ));
        return Ok(None);
    }
    Ok(Some(email))
}

/// One `authData` datum checked: its good value, or `None` with the violation recorded.
pub(super) type DatumCheck<'c> =
    dyn FnMut(&AuthDatum, &mut Vec<Violation>) -> DomainResult<Option<String>> + 'c;

/// Reads `authData` against the form's login and password markers, each datum checked by
/// `login` or `password`; any other marker is a violation. A marker given twice keeps its last
/// good value.
pub(super) fn read_auth_data(
    form: &Form,
    auth_data: &[AuthDatum],
    violations: &mut Vec<Violation>,
    login: &mut DatumCheck,
    password: &mut DatumCheck,
) -> DomainResult<AuthChanges> {
    let mut changes = AuthChanges::default();
    for datum in auth_data {
        let marker = Some(datum.marker.as_str());
        if form.password_marker.as_deref() == marker {
            if let Some(checked) = password(datum, violations)? {
                changes.password = Some(checked);
            }
        } else if form.login_marker.as_deref() == marker {
            if let Some(checked) = login(datum, violations)? {
                changes.email = Some(checked);
            }
        } else {
            violations.push(Violation::new(
                &datum.marker,
                "unknown_auth_marker",
                format!(
                    "'{}' is neither the login nor the password marker of form '{}'",
                    datum.marker, form.identifier
                ),
            ));
        }
    }
    Ok(changes)
}

/// Checks `authData` of `updateUser`: a new password under the policy, a new login email no
/// other user has.
fn check_auth_data(
    read: &dyn StorageReads,
    session: &PortalSession,
    form: &Form,
    auth_data: &[AuthDatum],
    password_min_length: usize,
    violations: &mut Vec<Violation>,
) -> DomainResult<AuthChanges> {
    read_auth_data(
        form,
        auth_data,
        violations,
        &mut |datum, violations| check_new_login(read, session, datum, violations),
        &mut |datum, violations| check_new_password(datum, password_min_length, violations),
    )
}

impl Portal {
    /// `updateUser` for the signed-in portal user; `query_lang` is the `langCode` query
    /// parameter (the body's `langCode` wins when both are given).
    pub fn update_signed_in_user(
        &self,
        session: &PortalSession,
        body: UpdateUserBody,
        query_lang: Option<&str>,
    ) -> DomainResult<bool> {
        let mut update = self.check_user_update(session, body, query_lang)?;
        let after = self
            .hooks
            .before_user_update(&session.tenant, update.changes.take())?;
        let new_hash = update
            .auth
            .password
            .as_deref()
            .map(hash_password)
            .transpose()?;
        self.write_user_update(session, update, new_hash, &after)?;
        Ok(true)
    }

    /// The read phase of `updateUser`: checks every part of `body` on one snapshot and answers
    /// every violation together (nothing is written here).
    fn check_user_update(
        &self,
        session: &PortalSession,
        body: UpdateUserBody,
        query_lang: Option<&str>,
    ) -> DomainResult<CheckedUpdate> {
        let tenant = &session.tenant;
        // A malformed language code is refused wherever it is given, as on every other route,
        // even when there is no form data for it to name (found by the contract run).
        for given in [body.lang_code.as_deref(), query_lang]
            .into_iter()
            .flatten()
        {
            crate::domain::forms::validate_lang_code(given)?;
        }
        let lang = body.lang_code.as_deref().or(query_lang);
        let settings = self.tenants.tenant_settings(tenant)?;
        let mut violations = Vec::new();

        let read = self.ctx.store.read()?;
        let form = load_form(&*read, &tenant.id, &body.form_identifier)?;
        let auth = check_auth_data(
            &*read,
            session,
            &form,
            &body.auth_data,
            settings.password_min_length,
            &mut violations,
        )?;
        let contacts = body
            .notification_data
            .as_ref()
            .map(|n| check_contacts(n, &mut violations));
        let state = body.state.clone().or_else(|| {
            body.notification_data
                .as_ref()
                .and_then(|n| n.state.clone())
        });
        let prepared = self.prepare_own_form_data(
            &*read,
            session,
            &form,
            body.form_data,
            lang,
            &mut violations,
        )?;
        drop(read);
        if !violations.is_empty() {
            return Err(DomainError::Validation(violations));
        }
        let mut update = CheckedUpdate {
            login_marker: form.login_marker.clone(),
            prepared,
            auth,
            contacts,
            state,
            changes: None,
        };
        if self.hooks.user_updates_hooked(&tenant.id)? {
            update.changes = Some(hook_changes(session, &form, &update));
        }
        Ok(update)
    }

    /// The read phase of writing the signed-in user's own data for `form` (the native checks,
    /// then the tenant's validator plugins), its violations added to `violations`; `None` when
    /// the body has no `formData`.
    fn prepare_own_form_data(
        &self,
        read: &dyn StorageReads,
        session: &PortalSession,
        form: &Form,
        form_data: Option<Value>,
        lang: Option<&str>,
        violations: &mut Vec<Violation>,
    ) -> DomainResult<Option<PreparedFormUpdate>> {
        let Some(form_data) = form_data else {
            return Ok(None);
        };
        let owner = FormDataOwner::User(session.user_id.clone());
        // The lifecycle hooks of a user update see the submitted values.
        let keep_submitted = self.hooks.user_updates_hooked(&session.tenant.id)?;
        let (prepared, found) = prepare_user_form_update(
            read,
            &session.tenant,
            &owner,
            (&form.identifier, form_data, lang),
            &PluginValidators(&self.plugins),
            keep_submitted,
        )?;
        violations.extend(found);
        Ok(Some(prepared))
    }

    /// The write phase of `updateUser`, in one transaction: form data, password (`new_hash`),
    /// login email, contacts, state, and the `after-update-user` event (`after`). An email
    /// `change_email` refuses (another user's, or a lookalike of one) is a violation of the
    /// login marker.
    fn write_user_update(
        &self,
        session: &PortalSession,
        update: CheckedUpdate,
        new_hash: Option<String>,
        after: &AfterUserUpdate,
    ) -> DomainResult<()> {
        let tenant = &session.tenant;
        // The user's own records: other users' updates of the tenant run at once.
        let user_key = format!("user/{}", session.user_id);
        let mut tx = self.ctx.store.write_record(&tenant.id, &user_key)?;
        let now = self.ctx.now();
        let mut user = load_user(&*tx, &tenant.id, &session.user_id)?;
        if let Some(prepared) = update.prepared {
            write_prepared_form_update(&mut *tx, tenant, prepared, now)?;
        }
        if let Some(hash) = new_hash {
            user.password_hash = Some(hash);
            user.password_expired = false;
            if let Some(digest) = user.reset_code_digest.take() {
                tx.delete_reset_code(&tenant.id, &digest)?;
            }
        }
        if let Some(email) = update.auth.email.filter(|e| *e != user.email) {
            if let Err(DomainError::Conflict { .. }) =
                change_email(&mut *tx, &tenant.id, &mut user, email)
            {
                return Err(DomainError::Validation(vec![Violation::new(
                    update.login_marker.as_deref().unwrap_or("email"),
                    "email_taken",
                    "another user has this email, or one that looks like it",
                )]));
            }
        }
        if let Some(contacts) = update.contacts {
            user.notification_data = Some(contacts);
        }
        if let Some(state) = update.state {
            user.state = Some(state);
        }
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        queue_after_user_update(&mut *tx, &tenant.id, after, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Sign-in by form markers (seed 004's `auth`): the values of the form's login and password
    /// markers in `authData` sign in like email and password; the session records `origin`.
    pub fn portal_sign_in_by_markers(
        &self,
        tenant: &Tenant,
        form_identifier: &str,
        auth_data: &[AuthDatum],
        origin: &SessionOrigin,
    ) -> DomainResult<SessionTokens> {
        let form = load_form(&*self.ctx.store.read()?, &tenant.id, form_identifier)?;
        let (Some(login), Some(password)) = (
            form.login_marker.as_deref(),
            form.password_marker.as_deref(),
        ) else {
            return Err(DomainError::bad_request(
                "form_without_auth_markers",
                format!(
                    "form '{}' names no login and password markers",
                    form.identifier
                ),
            ));
        };
        let value = |marker: &str| {
            auth_data
                .iter()
                .find(|d| d.marker == marker)
                .and_then(|d| d.value.as_str())
                .ok_or_else(|| {
                    DomainError::bad_request(
                        "missing_auth_data",
                        format!("authData needs a string value for marker '{marker}'"),
                    )
                })
        };
        self.portal_sign_in_from(tenant, value(login)?, value(password)?, origin)
    }
}

#[cfg(test)]
mod tests {
    use super::is_phone;

    #[test]
    fn phones() {
        assert!(is_phone("+79991234567"));
        assert!(is_phone("+99999999999"));
        assert!(!is_phone("+1"));
        assert!(!is_phone("call me"));
        assert!(!is_phone("+1234567890123456"));
    }
}
