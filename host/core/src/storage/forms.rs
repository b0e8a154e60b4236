//! The forms port: form definitions, and each owner's form data per form and language.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::forms::{Form, FormDataOwner, StoredField, StoredFormData};

/// Reading form definitions and form data.
pub trait FormReads {
    /// The form with this identifier. Every request that touches form data needs it, so an
    /// adapter may hand out one shared decoded copy while the stored form is unchanged.
    fn form(&self, tenant: &str, identifier: &str) -> StorageResult<Option<Arc<Form>>>;
    /// Whether a form has this identifier.
    fn form_exists(&self, tenant: &str, identifier: &str) -> StorageResult<bool>;
    /// Forms in identifier order after `after` (from the first when `None`), at most `limit`.
    fn forms_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Form>>;
    /// `owner`'s data for form `form` in language `lang`.
    fn form_data(
        &self,
        tenant: &str,
        owner: &FormDataOwner,
        form: &str,
        lang: &str,
    ) -> StorageResult<Option<StoredFormData>>;
}

/// Writing form definitions and form data.
pub trait FormWrites: FormReads {
    /// Stores a new form; an identifier another form has answers `StorageError::Conflict`
    /// (`form_identifier_taken`).
    fn insert_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()>;
    /// Stores a changed form (same identifier).
    fn update_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()>;
    /// Deletes a form and every owner's data for it.
    fn delete_form(&mut self, tenant: &str, identifier: &str) -> StorageResult<()>;
    /// Stores `owner`'s data for form `form` in language `lang`, written `updated_at`.
    fn put_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
        form: &str,
        lang: &str,
        fields: &[StoredField],
        updated_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Deletes every form's data of `owner`; answers how many records went.
    fn delete_owner_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
    ) -> StorageResult<usize>;
}
