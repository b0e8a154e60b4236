//! Form data of users and profiles, stored per owner, form and language code. A write is a
//! merge: submitted fields replace their stored values (`null` clears one), the others stay.
//!
//! The write pipeline is: parse and check natively -> extra validators (the tenant's plugins,
//! through `FieldValidators`) -> merge with what is stored and check required fields -> write
//! only when no stage found any violation. The checks run on a read snapshot (validator plugins
//! must not run while the single redb writer is held); the write is one transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::crud::load_form;
use super::definition::{validate_identifier, validate_lang_code, Form};
use super::submission::{check_form_data, ParsedField, ParsedFields, DEFAULT_LANG_CODE};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::tenants::Tenant;
use crate::domain::Forms;
use crate::fields::Violation;
use crate::storage::{StorageReads, WriteTransaction};

pub use crate::forms::{FormDataOwner, StoredField, StoredFormData};

/// Whether a profile exists.
pub fn profile_exists<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    profile_id: &str,
) -> DomainResult<bool> {
    Ok(tx.profile_exists(tenant_id, profile_id)?)
}

/// 404 unless the owner exists in the tenant.
pub fn ensure_owner_exists<R: StorageReads + ?Sized>(
    tx: &R,
    tenant_id: &str,
    owner: &FormDataOwner,
) -> DomainResult<()> {
    match owner {
        // Existence only: decoding the whole user record costs more than the check.
        FormDataOwner::User(id) if tx.user_exists(tenant_id, id)? => Ok(()),
        FormDataOwner::User(id) => Err(DomainError::not_found("user", id.as_str())),
        FormDataOwner::Profile(id) if profile_exists(tx, tenant_id, id)? => Ok(()),
        FormDataOwner::Profile(id) => Err(DomainError::not_found("profile", id.as_str())),
    }
}

/// Deletes every form's data of an owner (call it in the transaction that deletes the user or
/// the profile). Answers how many records went.
pub fn delete_owner_form_data(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    owner: &FormDataOwner,
) -> DomainResult<usize> {
    Ok(tx.delete_owner_form_data(tenant_id, owner)?)
}

impl From<ParsedField> for StoredField {
    fn from(field: ParsedField) -> StoredField {
        StoredField {
            marker: field.marker,
            field_type: field.field_type,
            value: field.json,
        }
    }
}

/// One owner's data for one form and language, as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FormDataView {
    /// The form's identifier.
    pub form_identifier: String,
    /// The language the data is for.
    pub lang_code: String,
    /// `[{marker, type, value}]` in the form's field order.
    pub form_data: Vec<StoredField>,
    /// When it was last written; `None` when nothing is stored.
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a write stored: the resulting fields of every language it touched.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FormDataWritten {
    /// The form's identifier.
    pub form_identifier: String,
    /// `{langCode: [{marker, type, value}]}`, the map shape of `formData`.
    pub form_data: BTreeMap<String, Vec<StoredField>>,
}

/// Validators that run after the native checks and add their violations to them: the hook for
/// the tenant's field-validator plugins (one invocation per plugin for the whole submission).
/// They see only the fields that passed the native checks, with their typed values; a field
/// without one (`null` clears it) has nothing to validate. A field's plugin settings are the
/// form field's `validators` object.
pub trait FieldValidators {
    /// The violations these validators find in `fields` of `form`, a submission to `tenant`;
    /// an error fails the whole write.
    fn validate(
        &self,
        tenant: &Tenant,
        form: &Form,
        fields: &ParsedFields,
    ) -> DomainResult<Vec<Violation>>;
}

/// No validators beyond the native checks.
pub struct NativeOnly;

impl FieldValidators for NativeOnly {
    fn validate(&self, _: &Tenant, _: &Form, _: &ParsedFields) -> DomainResult<Vec<Violation>> {
        Ok(Vec::new())
    }
}

/// Stored fields still shown: those the form still has with the same type, in form order.
fn view_fields(form: &Form, stored: Vec<StoredField>) -> Vec<StoredField> {
    let mut fields: Vec<(usize, StoredField)> = stored
        .into_iter()
        .filter_map(|f| {
            let pos = form
                .fields
                .iter()
                .position(|d| d.marker == f.marker && d.field_type == f.field_type)?;
            Some((pos, f))
        })
        .collect();
    fields.sort_by_key(|(pos, _)| *pos);
    fields.into_iter().map(|(_, f)| f).collect()
}

/// Merges submitted fields into the stored ones: a value replaces, `null` clears.
fn merge(form: &Form, stored: Vec<StoredField>, submitted: Vec<ParsedField>) -> Vec<StoredField> {
    let mut merged = view_fields(form, stored);
    for field in submitted {
        merged.retain(|f| f.marker != field.marker);
        if !field.json.is_null() {
            merged.push(field.into());
        }
    }
    view_fields(form, merged)
}

/// Required fields without a value after the merge. The login and password fields are exempt:
/// their values live on the user (email, password hash), not in form data.
fn missing_required(form: &Form, lang: &str, merged: &[StoredField]) -> Vec<Violation> {
    let exempt = [
        form.login_marker.as_deref(),
        form.password_marker.as_deref(),
    ];
    form.fields
        .iter()
        .filter(|d| d.required && !exempt.contains(&Some(d.marker.as_str())))
        .filter(|d| !merged.iter().any(|f| f.marker == d.marker))
        .map(|d| {
            Violation::new(
                &d.marker,
                "required",
                format!("this field is required and has no value for '{lang}'"),
            )
        })
        .collect()
}

/// A submission that passed every check, ready to be written.
#[derive(Debug)]
pub struct PreparedFormUpdate {
    owner: FormDataOwner,
    form_identifier: String,
    merged_by_lang: BTreeMap<String, Vec<StoredField>>,
    /// The submitted values by language and marker, `{"en_US": {"name": "Ann"}}`, when kept
    /// (`prepare_user_form_update`).
    submitted: Option<Value>,
}

impl PreparedFormUpdate {
    /// The submitted values (those that passed the native checks, `null` clearing one) by
    /// language and marker, e.g. `{"en_US": {"name": "Ann"}}`: what lifecycle hooks see of it.
    /// Kept only when asked for (`prepare_user_form_update`).
    pub fn submitted(&self) -> Option<&Value> {
        self.submitted.as_ref()
    }

    /// The same update for `owner`: the owner a sign-up's write phase creates.
    pub fn for_owner(self, owner: FormDataOwner) -> PreparedFormUpdate {
        PreparedFormUpdate { owner, ..self }
    }
}

/// The read phase of a write: the native checks, the extra validators (plugins, which record
/// their invocations and so must not run under a held write transaction), and the required
/// fields against what is stored. Answers every violation found (empty when the data is good)
/// and what to write. Nothing is written here.
pub fn prepare_form_update<R: StorageReads + ?Sized>(
    tx: &R,
    tenant: &Tenant,
    owner: &FormDataOwner,
    form_identifier: &str,
    form_data: Value,
    lang_code: Option<&str>,
    validators: &dyn FieldValidators,
) -> DomainResult<(PreparedFormUpdate, Vec<Violation>)> {
    let request = (form_identifier, form_data, lang_code);
    prepare(tx, tenant, owner, (true, false), request, validators)
}

/// `prepare_form_update` for a user's own update (`updateUser`), keeping the submitted values
/// (`PreparedFormUpdate::submitted`) when `keep_submitted` (its lifecycle hooks see them).
pub fn prepare_user_form_update<R: StorageReads + ?Sized>(
    tx: &R,
    tenant: &Tenant,
    owner: &FormDataOwner,
    request: (&str, Value, Option<&str>),
    validators: &dyn FieldValidators,
    keep_submitted: bool,
) -> DomainResult<(PreparedFormUpdate, Vec<Violation>)> {
    prepare(
        tx,
        tenant,
        owner,
        (true, keep_submitted),
        request,
        validators,
    )
}

/// The read phase for an owner the write phase creates (a self sign-up): as
/// `prepare_form_update`, the owner not yet stored (so nothing stored to merge with).
pub fn prepare_new_owner_form_data<R: StorageReads + ?Sized>(
    tx: &R,
    tenant: &Tenant,
    owner: &FormDataOwner,
    form_identifier: &str,
    form_data: Value,
    lang_code: Option<&str>,
    validators: &dyn FieldValidators,
) -> DomainResult<(PreparedFormUpdate, Vec<Violation>)> {
    let request = (form_identifier, form_data, lang_code);
    prepare(tx, tenant, owner, (false, false), request, validators)
}

/// The read phase; `owner_stored` when the owner exists already (its stored data merged),
/// `keep_submitted` to keep the submitted values.
fn prepare<R: StorageReads + ?Sized>(
    tx: &R,
    tenant: &Tenant,
    owner: &FormDataOwner,
    (owner_stored, keep_submitted): (bool, bool),
    (form_identifier, form_data, lang_code): (&str, Value, Option<&str>),
    validators: &dyn FieldValidators,
) -> DomainResult<(PreparedFormUpdate, Vec<Violation>)> {
    let lang_code = lang_code.unwrap_or(DEFAULT_LANG_CODE);
    validate_lang_code(lang_code)?;
    validate_identifier(form_identifier)?;
    let form = load_form(tx, &tenant.id, form_identifier)?;
    if owner_stored {
        ensure_owner_exists(tx, &tenant.id, owner)?;
    }

    let checked = check_form_data(&form, form_data, lang_code);
    let mut violations = checked.violations;
    violations.extend(validators.validate(tenant, &form, &checked.fields)?);

    let submitted = keep_submitted.then(|| submitted_json(&checked.fields.langs));
    let mut merged_by_lang = BTreeMap::new();
    for (lang, submitted) in checked.fields.langs {
        // A submission that sets (or clears) every field of the form keeps nothing stored: the
        // record is replaced without reading it.
        let replaces_all = form
            .fields
            .iter()
            .all(|d| submitted.iter().any(|f| f.marker == d.marker));
        let stored: StoredFormData = if replaces_all {
            StoredFormData::default()
        } else {
            tx.form_data(&tenant.id, owner, &form.identifier, &lang)?
                .unwrap_or_default()
        };
        let merged = merge(&form, stored.fields, submitted);
        for missing in missing_required(&form, &lang, &merged) {
            // An empty required value was already reported by the native check.
            if !violations
                .iter()
                .any(|v| v.marker == missing.marker && v.code == "required")
            {
                violations.push(missing);
            }
        }
        merged_by_lang.insert(lang, merged);
    }
    let prepared = PreparedFormUpdate {
        owner: owner.clone(),
        form_identifier: form.identifier.clone(),
        merged_by_lang,
        submitted,
    };
    Ok((prepared, violations))
}

/// The submitted values by language and marker.
fn submitted_json(langs: &BTreeMap<String, Vec<ParsedField>>) -> Value {
    let by_lang = langs.iter().map(|(lang, fields)| {
        let values = fields.iter().map(|f| (f.marker.clone(), f.json.clone()));
        (lang.clone(), Value::Object(values.collect()))
    });
    Value::Object(by_lang.collect())
}

/// The write phase, inside the caller's transaction (not committed), updated `now`.
pub fn write_prepared_form_update(
    tx: &mut dyn WriteTransaction,
    tenant: &Tenant,
    prepared: PreparedFormUpdate,
    now: DateTime<Utc>,
) -> DomainResult<FormDataWritten> {
    for (lang, fields) in &prepared.merged_by_lang {
        tx.put_form_data(
            &tenant.id,
            &prepared.owner,
            &prepared.form_identifier,
            lang,
            fields,
            now,
        )?;
    }
    Ok(FormDataWritten {
        form_identifier: prepared.form_identifier,
        form_data: prepared.merged_by_lang,
    })
}

impl Forms {
    /// Validates (natively and with the tenant's validator plugins) and writes `formData` (any
    /// of its three shapes) for an owner. `lang_code` defaults to `en_US`.
    pub fn apply_form_update(
        &self,
        tenant: &Tenant,
        owner: &FormDataOwner,
        form_identifier: &str,
        form_data: Value,
        lang_code: Option<&str>,
    ) -> DomainResult<FormDataWritten> {
        let plugins = crate::domain::plugins::PluginValidators(&self.plugins);
        self.apply_form_update_with(
            tenant,
            owner,
            form_identifier,
            form_data,
            lang_code,
            &plugins,
        )
    }

    /// `apply_form_update` with extra validators (the plugin stage) joined to the native checks:
    /// every violation together as `DomainError::Validation`, and then nothing is written.
    pub fn apply_form_update_with(
        &self,
        tenant: &Tenant,
        owner: &FormDataOwner,
        form_identifier: &str,
        form_data: Value,
        lang_code: Option<&str>,
        validators: &dyn FieldValidators,
    ) -> DomainResult<FormDataWritten> {
        let (prepared, violations) = prepare_form_update(
            &*self.ctx.store.read()?,
            tenant,
            owner,
            form_identifier,
            form_data,
            lang_code,
            validators,
        )?;
        if !violations.is_empty() {
            return Err(DomainError::Validation(violations));
        }
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        // The owner may have gone between the two phases.
        ensure_owner_exists(&*tx, &tenant.id, owner)?;
        let written = write_prepared_form_update(&mut *tx, tenant, prepared, self.ctx.now())?;
        tx.commit()?;
        Ok(written)
    }

    /// An owner's stored data for one form and language (`en_US` by default); an empty list
    /// when nothing is stored yet.
    pub fn get_form_data(
        &self,
        tenant: &Tenant,
        owner: &FormDataOwner,
        form_identifier: &str,
        lang_code: Option<&str>,
    ) -> DomainResult<FormDataView> {
        let lang_code = lang_code.unwrap_or(DEFAULT_LANG_CODE);
        validate_lang_code(lang_code)?;
        validate_identifier(form_identifier)?;
        let tx = self.ctx.store.read()?;
        let form = load_form(&*tx, &tenant.id, form_identifier)?;
        ensure_owner_exists(&*tx, &tenant.id, owner)?;
        let stored = tx
            .form_data(&tenant.id, owner, &form.identifier, lang_code)?
            .unwrap_or_default();
        Ok(FormDataView {
            form_identifier: form.identifier.clone(),
            lang_code: lang_code.to_string(),
            form_data: view_fields(&form, stored.fields),
            updated_at: stored.updated_at,
        })
    }
}
