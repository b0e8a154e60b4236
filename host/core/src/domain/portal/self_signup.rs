//! Self sign-up through an auth provider (OneEntry's `signUp`): a person creates their own portal
//! account, when the provider is active and its self sign-up is open. Everything is checked
//! first, on a read snapshot (the login email and password under the provider form's markers,
//! the form data natively and with the tenant's validator plugins, the contact channels), and
//! every violation answers together (422); then the tenant's signup policies decide (those of WIT
//! 0.2.0: `decide-self-signup`; 0.1.0 policies do not take part); then one
//! transaction stores a profile with portal access, its portal user (within the portal licence
//! limit: 412 as for `addUser`), the provider's group, and the form data. A provider that
//! requires activation leaves the user Invited until the activation code sent to them through
//! the outbox is given back (`codes`).

use serde::Deserialize;
use serde_json::Value;

use super::access::new_self_signed_up_user;
use super::codes::{issue_code, CodeEvent};
use super::me::{
    check_contacts, check_new_password, read_auth_data, text_value, AuthDatum, NotificationData,
};
use super::policy::SelfSignupRequest;
use super::profiles::records::Profile;
use crate::domain::auth_providers::AuthProvider;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::forms::{
    load_form, parse_and_check, prepare_new_owner_form_data, write_prepared_form_update, Form,
    FormDataOwner, PreparedFormUpdate, Violation, DEFAULT_LANG_CODE,
};
use crate::domain::ids::new_id;
use crate::domain::plugins::PluginValidators;
use crate::domain::secrets::hash_password;
use crate::domain::tenants::Tenant;
use crate::domain::users::memberships::add_membership;
use crate::domain::users::records::{normalize_email, save_user, UserRecord, UserStatus};
use crate::domain::Portal;
use crate::fields::Field;
use crate::storage::StorageReads;

/// Body of `signUp`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignUpBody {
    /// The provider's form (optional: it can only be the provider's).
    pub form_identifier: Option<String>,
    /// The login email and the password, under the form's login and password markers.
    pub auth_data: Vec<AuthDatum>,
    /// The person's form data (any of `updateUser`'s shapes).
    pub form_data: Option<Value>,
    /// Contact channels.
    pub notification_data: Option<NotificationData>,
    /// The language of `formData` when it is not keyed by language.
    pub lang_code: Option<String>,
}

/// What a sign-up created.
#[derive(Debug, Clone)]
pub struct SignedUp {
    /// The new portal user.
    pub user: UserRecord,
    /// Whether they may sign in now (no activation code required).
    pub active: bool,
}

/// What the read phase found good, for the policies and the write phase.
struct CheckedSignUp {
    email: String,
    password: String,
    prepared: Option<PreparedFormUpdate>,
    contacts: Option<Value>,
    /// The submitted fields with their typed values, as policies see them.
    fields: Vec<Field>,
    lang: Option<String>,
}

/// The typed fields of a checked submission (`form_data` passed the native checks), as the
/// signup policies see them: their settings are not sent.
fn typed_fields(form: &Form, form_data: Value, lang: &str) -> Vec<Field> {
    let Ok(parsed) = parse_and_check(form, form_data, lang) else {
        return Vec::new();
    };
    parsed
        .iter()
        .filter_map(|(lang, field)| {
            Some(Field {
                marker: field.marker.clone(),
                field_type: field.field_type,
                value: field.value.clone()?,
                settings: "{}".into(),
                form_identifier: Some(form.identifier.clone()),
                lang_code: Some(lang.to_string()),
            })
        })
        .collect()
}

fn closed(message: String) -> DomainError {
    DomainError::refused("signup_closed", message)
}

/// The provider lets people sign themselves up through it now.
fn check_open(provider: &AuthProvider) -> DomainResult<()> {
    if !provider.is_active {
        return Err(DomainError::refused(
            "auth_provider_inactive",
            format!("the auth provider '{}' is not active", provider.identifier),
        ));
    }
    if !provider.self_signup {
        return Err(closed(format!(
            "self sign-up through '{}' is closed",
            provider.identifier
        )));
    }
    Ok(())
}

/// The login email under the form's login marker: an email no user of the tenant has.
fn check_login(
    read: &dyn StorageReads,
    tenant: &Tenant,
    datum: &AuthDatum,
    violations: &mut Vec<Violation>,
) -> DomainResult<Option<String>> {
    let Some(text) = text_value(datum, violations) else {
        return Ok(None);
    };
    let email = match normalize_email(text) {
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
    if read.user_id_by_email(&tenant.id, &email)?.is_some() {
        violations.push(Violation::new(
            &datum.marker,
            "email_taken",
            "another user has this email, or one that looks like it",
        ));
        return Ok(None);
    }
    Ok(Some(email))
}

/// The login email and password from `authData`; both are required.
fn check_credentials(
    read: &dyn StorageReads,
    tenant: &Tenant,
    form: &Form,
    auth_data: &[AuthDatum],
    password_min_length: usize,
    violations: &mut Vec<Violation>,
) -> DomainResult<(Option<String>, Option<String>)> {
    let given = read_auth_data(
        form,
        auth_data,
        violations,
        &mut |datum, violations| check_login(read, tenant, datum, violations),
        &mut |datum, violations| check_new_password(datum, password_min_length, violations),
    )?;
    let (login, password) = (
        form.login_marker.as_deref(),
        form.password_marker.as_deref(),
    );
    for (marker, found) in [
        (login, given.email.is_some()),
        (password, given.password.is_some()),
    ] {
        let marker = marker.unwrap_or_default();
        let reported = violations.iter().any(|v| v.marker == marker);
        if !found && !reported {
            violations.push(Violation::new(
                marker,
                "required",
                "authData needs a value here",
            ));
        }
    }
    Ok((given.email, given.password))
}

impl Portal {
    /// Signs a person up through `provider`: the checks, the tenant's signup policies, then the
    /// new account (Invited until activation when the provider requires a code).
    pub fn self_sign_up(
        &self,
        tenant: &Tenant,
        provider: &AuthProvider,
        body: SignUpBody,
        query_lang: Option<&str>,
    ) -> DomainResult<SignedUp> {
        check_open(provider)?;
        if body
            .form_identifier
            .as_ref()
            .is_some_and(|f| *f != provider.form_identifier)
        {
            return Err(DomainError::bad_request(
                "form_mismatch",
                format!(
                    "the auth provider '{}' signs people up with form '{}'",
                    provider.identifier, provider.form_identifier
                ),
            ));
        }
        let checked = self.check_sign_up(tenant, provider, &body, query_lang)?;
        let request = SelfSignupRequest {
            email: checked.email.clone(),
            auth_provider: provider.identifier.clone(),
            form_identifier: Some(provider.form_identifier.clone()),
            fields: checked.fields.clone(),
            lang_code: checked.lang.clone(),
        };
        self.run_self_signup_policies(tenant, &request)?;
        self.store_sign_up(tenant, provider, checked)
    }

    /// The read phase: every violation together, nothing written.
    fn check_sign_up(
        &self,
        tenant: &Tenant,
        provider: &AuthProvider,
        body: &SignUpBody,
        query_lang: Option<&str>,
    ) -> DomainResult<CheckedSignUp> {
        let settings = self.tenants.tenant_settings(tenant)?;
        let portal = super::load_settings(&*self.ctx.store.read()?, &tenant.id)?;
        if !portal.published {
            return Err(DomainError::refused(
                "portal_unpublished",
                "the portal is not published",
            ));
        }
        let read = self.ctx.store.read()?;
        let form = load_form(&*read, &tenant.id, &provider.form_identifier)?;
        let mut violations = Vec::new();
        let (email, password) = check_credentials(
            &*read,
            tenant,
            &form,
            &body.auth_data,
            settings.password_min_length,
            &mut violations,
        )?;
        let contacts = body
            .notification_data
            .as_ref()
            .map(|n| check_contacts(n, &mut violations));
        let lang = body.lang_code.as_deref().or(query_lang);
        let prepared = match &body.form_data {
            Some(data) => {
                // The owner's id is only a placeholder until the write phase names the user.
                let owner = FormDataOwner::User(String::new());
                let validators = PluginValidators(&self.plugins);
                let (prepared, found) = prepare_new_owner_form_data(
                    &*read,
                    tenant,
                    &owner,
                    &form.identifier,
                    data.clone(),
                    lang,
                    &validators,
                )?;
                violations.extend(found);
                Some(prepared)
            }
            None => None,
        };
        drop(read);
        match (email, password) {
            (Some(email), Some(password)) if violations.is_empty() => Ok(CheckedSignUp {
                email,
                password,
                prepared,
                contacts,
                fields: body
                    .form_data
                    .clone()
                    .map(|data| typed_fields(&form, data, lang.unwrap_or(DEFAULT_LANG_CODE)))
                    .unwrap_or_default(),
                lang: lang.map(str::to_string),
            }),
            _ => Err(DomainError::Validation(violations)),
        }
    }

    /// The write phase: the profile, the user, the group and the form data in one transaction.
    fn store_sign_up(
        &self,
        tenant: &Tenant,
        provider: &AuthProvider,
        checked: CheckedSignUp,
    ) -> DomainResult<SignedUp> {
        let hash = hash_password(&checked.password)?;
        let active = !provider.is_check_code;
        let status = if active {
            UserStatus::Active
        } else {
            UserStatus::Invited
        };
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let now = self.ctx.now();
        let mut profile = Profile {
            id: new_id(),
            email: Some(checked.email),
            first_name: None,
            last_name: None,
            data: serde_json::json!({}),
            user_id: None,
            blocked: false,
            access_granted: false,
            created_at: now,
            updated_at: now,
        };
        let mut user = new_self_signed_up_user(&mut *tx, &tenant.id, &mut profile, status, now)?;
        user.password_hash = Some(hash);
        user.notification_data = checked.contacts;
        // The provider's group, while it exists (a deleted group no longer gates sign-ups).
        if let Some(name) = &provider.user_group_identifier {
            if let Some(group) = tx.group_by_name(&tenant.id, name)? {
                add_membership(&mut user, &group.id, true);
            }
        }
        save_user(&mut *tx, &tenant.id, &mut user, now)?;
        if !active {
            let lang = checked.lang.as_deref();
            issue_code(
                &mut *tx,
                &tenant.id,
                &user,
                CodeEvent::Activation,
                lang,
                now,
            )?;
        }
        if let Some(prepared) = checked.prepared {
            let owner = FormDataOwner::User(user.id.clone());
            write_prepared_form_update(&mut *tx, tenant, prepared.for_owner(owner), now)?;
        }
        tx.commit()?;
        Ok(SignedUp { user, active })
    }
}
