//! The forms port on redb: definitions in `Table::Forms` by identifier, data in
//! `Table::FormData` under `<owner kind>:<owner id> \u{1f} <form> \u{1f} <lang>` (keys start with
//! the owner: owners are deleted often, forms rarely).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use portico_core::forms::{Form, FormDataOwner, StoredField, StoredFormData};
use portico_core::storage::{FormReads, FormWrites, StorageError, StorageResult};
use serde::Serialize;

use super::{composite_key, RawReader, ReadTx, Reader, Table, WriteTx, KEY_SEPARATOR};

/// Decoded form definitions kept for reuse, at most; past it the cache starts over.
pub const DECODED_FORMS_CACHED: usize = 4096;

type FormKey = (String, String);
/// A decoded form with the stored bytes it was decoded from.
type DecodedForm = (Vec<u8>, Arc<Form>);
type FormCache = Mutex<HashMap<FormKey, DecodedForm>>;

/// Decoded forms by (tenant, identifier), each with the stored bytes it was decoded from.
/// Every request that touches form data needs the definition; decoding its JSON (settings of 15
/// fields) cost more than the rest of the read. An entry is used only when the stored bytes are
/// still the same, so it can never serve a changed, deleted or other tenant's form.
fn decoded_forms() -> &'static FormCache {
    static CACHE: OnceLock<FormCache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn form<R: Reader>(tx: &R, tenant: &str, identifier: &str) -> StorageResult<Option<Arc<Form>>> {
    let Some(bytes) = tx.get_raw(Table::Forms, tenant, identifier)? else {
        return Ok(None);
    };
    let key = (tenant.to_string(), identifier.to_string());
    let cache = decoded_forms();
    if let Some((cached, form)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if *cached == bytes {
            return Ok(Some(form.clone()));
        }
    }
    let form: Arc<Form> =
        Arc::new(
            serde_json::from_slice(&bytes).map_err(|e| StorageError::Corrupt {
                what: Table::Forms.name(),
                key: format!("{tenant}/{identifier}"),
                message: e.to_string(),
            })?,
        );
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= DECODED_FORMS_CACHED {
        cache.clear();
    }
    cache.insert(key, (bytes, form.clone()));
    Ok(Some(form))
}

/// Start of every key of this owner's data: `user:<id>\u{1f}` or `profile:<id>\u{1f}`.
fn owner_prefix(owner: &FormDataOwner) -> String {
    match owner {
        FormDataOwner::User(id) => format!("user:{id}{KEY_SEPARATOR}"),
        FormDataOwner::Profile(id) => format!("profile:{id}{KEY_SEPARATOR}"),
    }
}

fn data_key(owner: &FormDataOwner, form: &str, lang: &str) -> String {
    format!("{}{}", owner_prefix(owner), composite_key(form, lang))
}

macro_rules! form_reads {
    ($($t:ty),*) => {$(
        impl FormReads for $t {
            fn form(&self, tenant: &str, identifier: &str) -> StorageResult<Option<Arc<Form>>> {
                form(self, tenant, identifier)
            }
            fn form_exists(&self, tenant: &str, identifier: &str) -> StorageResult<bool> {
                Ok(self.exists(Table::Forms, tenant, identifier)?)
            }
            fn forms_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<Form>> {
                let rows: Vec<(String, Form)> = self.scan(Table::Forms, tenant, "", after, limit)?;
                Ok(rows.into_iter().map(|(_, form)| form).collect())
            }
            fn form_data(
                &self,
                tenant: &str,
                owner: &FormDataOwner,
                form: &str,
                lang: &str,
            ) -> StorageResult<Option<StoredFormData>> {
                Ok(self.get(Table::FormData, tenant, &data_key(owner, form, lang))?)
            }
        }
    )*};
}
form_reads!(ReadTx, WriteTx<'_>);

/// `StoredFormData` borrowed, to write it without copying the fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StoredFormDataRef<'a> {
    fields: &'a [StoredField],
    updated_at: Option<DateTime<Utc>>,
}

/// Deletes the form data under these keys.
fn delete_data(tx: &mut WriteTx<'_>, tenant: &str, keys: &[String]) -> StorageResult<()> {
    for key in keys {
        tx.delete(Table::FormData, tenant, key)?;
    }
    Ok(())
}

impl FormWrites for WriteTx<'_> {
    fn insert_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()> {
        if self.exists(Table::Forms, tenant, &form.identifier)? {
            return Err(StorageError::Conflict {
                code: "form_identifier_taken",
                message: format!(
                    "a form with identifier '{}' already exists",
                    form.identifier
                ),
            });
        }
        self.update_form(tenant, form)
    }

    fn update_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()> {
        Ok(self.put(Table::Forms, tenant, &form.identifier, form)?)
    }

    /// Scans the tenant's form data for the form's: keys start with the owner.
    fn delete_form(&mut self, tenant: &str, identifier: &str) -> StorageResult<()> {
        self.delete(Table::Forms, tenant, identifier)?;
        let keys: Vec<String> = self
            .scan_raw(Table::FormData, tenant, "", None, usize::MAX)?
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| k.split(KEY_SEPARATOR).nth(1) == Some(identifier))
            .collect();
        delete_data(self, tenant, &keys)
    }

    fn put_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
        form: &str,
        lang: &str,
        fields: &[StoredField],
        updated_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let record = StoredFormDataRef {
            fields,
            updated_at: Some(updated_at),
        };
        Ok(self.put(
            Table::FormData,
            tenant,
            &data_key(owner, form, lang),
            &record,
        )?)
    }

    fn delete_owner_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
    ) -> StorageResult<usize> {
        let keys: Vec<String> = self
            .scan_raw(
                Table::FormData,
                tenant,
                &owner_prefix(owner),
                None,
                usize::MAX,
            )?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        delete_data(self, tenant, &keys)?;
        Ok(keys.len())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::fields::FieldType;
    use portico_core::forms::{Form, FormDataOwner, StoredField};
    use portico_core::storage::{FormReads, FormWrites, StorageError};
    use serde_json::json;

    use crate::Store;

    fn form(identifier: &str) -> Form {
        serde_json::from_value(json!({
            "identifier": identifier, "title": {}, "fields": [{"marker": "s", "type": "string"}],
            "loginMarker": null, "passwordMarker": null,
            "createdAt": Utc::now(), "updatedAt": Utc::now(),
        }))
        .unwrap()
    }

    fn field(value: &str) -> Vec<StoredField> {
        vec![StoredField {
            marker: "s".into(),
            field_type: FieldType::String,
            value: json!(value),
        }]
    }

    #[test]
    fn identifiers_are_unique_and_data_goes_with_its_form_or_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (u1, u10) = (
            FormDataOwner::User("u1".into()),
            FormDataOwner::User("u10".into()),
        );
        let mut tx = store.write().unwrap();
        tx.insert_form("t", &form("reg")).unwrap();
        tx.insert_form("t", &form("other")).unwrap();
        let taken = tx.insert_form("t", &form("reg"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "form_identifier_taken",
                ..
            })
        ));
        for (owner, form) in [(&u1, "reg"), (&u10, "reg"), (&u1, "other")] {
            tx.put_form_data("t", owner, form, "en_US", &field(form), Utc::now())
                .unwrap();
        }
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(tx.delete_owner_form_data("t", &u1).unwrap(), 2);
        assert!(tx.form_data("t", &u1, "other", "en_US").unwrap().is_none());
        let kept = tx.form_data("t", &u10, "reg", "en_US").unwrap().unwrap();
        assert_eq!(kept.fields, field("reg"));
        tx.delete_form("t", "reg").unwrap();
        assert!(tx.form("t", "reg").unwrap().is_none());
        assert!(tx.form_data("t", &u10, "reg", "en_US").unwrap().is_none());
        assert_eq!(tx.form("t", "other").unwrap().unwrap().identifier, "other");
        assert!(tx.form("other-tenant", "other").unwrap().is_none());
        tx.commit().unwrap();
    }
}
