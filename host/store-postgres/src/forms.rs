//! The forms aggregate on PostgreSQL: definitions in `forms` (the identifier is the key, which
//! answers `form_identifier_taken`), each owner's data in `form_data`, which cascades from its
//! form. Also the text conversions the crate's adapters share: PostgreSQL cannot hold U+0000 in
//! `text` or `jsonb`, so submitted values, logs and error messages are written with it replaced.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use portico_core::forms::{Form, FormDataOwner, StoredField, StoredFormData};
use portico_core::storage::{FormReads, FormWrites, StorageError, StorageResult};
use serde_json::Value;
use tokio_postgres::Row;

use crate::transaction::PgTx;

const FORM_COLUMNS: &str =
    "identifier, number, title, fields, login_marker, password_marker, created_at, updated_at";

/// What replaces U+0000, which PostgreSQL's `text` and `jsonb` cannot hold.
const NUL_REPLACEMENT: &str = "\u{fffd}";

/// `text` as PostgreSQL can store it: U+0000 replaced by U+FFFD.
pub(crate) fn storable_text(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', NUL_REPLACEMENT))
    } else {
        Cow::Borrowed(text)
    }
}

/// `value` as `jsonb` can store it: U+0000 replaced by U+FFFD in every string and key.
pub(crate) fn storable_json(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains('\0') => Value::String(storable_text(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(storable_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (storable_text(&k).into_owned(), storable_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A row limit as a `bigint` (a limit past its range reads everything).
pub(crate) fn row_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The error of a stored value that no longer decodes.
pub(crate) fn corrupt(what: &'static str, key: String, message: impl ToString) -> StorageError {
    StorageError::Corrupt {
        what,
        key,
        message: message.to_string(),
    }
}

fn form(tenant: &str, row: &Row) -> StorageResult<Form> {
    let identifier: String = row.get("identifier");
    let key = || format!("{tenant}/{identifier}");
    let title = serde_json::from_value(row.get("title")).map_err(|e| corrupt("forms", key(), e))?;
    let fields =
        serde_json::from_value(row.get("fields")).map_err(|e| corrupt("forms", key(), e))?;
    Ok(Form {
        number: u64::try_from(row.get::<_, i64>("number")).unwrap_or(0),
        title,
        fields,
        login_marker: row.get("login_marker"),
        password_marker: row.get("password_marker"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        identifier,
    })
}

/// The form's number as the `bigint` column holds it.
fn number(form: &Form) -> i64 {
    i64::try_from(form.number).unwrap_or(i64::MAX)
}

/// The `owner_kind` and `owner_id` columns of an owner.
fn owner_columns(owner: &FormDataOwner) -> (&'static str, &str) {
    match owner {
        FormDataOwner::User(id) => ("user", id),
        FormDataOwner::Profile(id) => ("profile", id),
    }
}

/// A value encoded for a `jsonb` column (`serde_json::to_value`'s answer).
pub(crate) fn json(encoded: serde_json::Result<Value>) -> StorageResult<Value> {
    encoded.map_err(|e| StorageError::Unavailable(format!("encoding a stored value: {e}")))
}

impl FormReads for PgTx {
    /// Decodes the stored form on every read (no shared decoded copy: several hosts write).
    fn form(&self, tenant: &str, identifier: &str) -> StorageResult<Option<Arc<Form>>> {
        let sql =
            format!("SELECT {FORM_COLUMNS} FROM forms WHERE tenant_id = $1 AND identifier = $2");
        let row = self.query_opt(&sql, &[&tenant, &identifier])?;
        row.map(|r| form(tenant, &r).map(Arc::new)).transpose()
    }

    fn form_exists(&self, tenant: &str, identifier: &str) -> StorageResult<bool> {
        let row = self.query_opt(
            "SELECT 1 FROM forms WHERE tenant_id = $1 AND identifier = $2",
            &[&tenant, &identifier],
        )?;
        Ok(row.is_some())
    }

    fn forms_after(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StorageResult<Vec<Form>> {
        let sql = format!(
            "SELECT {FORM_COLUMNS} FROM forms WHERE tenant_id = $1 \
             AND ($2::text IS NULL OR identifier > $2) ORDER BY identifier LIMIT $3"
        );
        let rows = self.query(&sql, &[&tenant, &after, &row_limit(limit)])?;
        rows.iter().map(|r| form(tenant, r)).collect()
    }

    fn form_data(
        &self,
        tenant: &str,
        owner: &FormDataOwner,
        form: &str,
        lang: &str,
    ) -> StorageResult<Option<StoredFormData>> {
        let (kind, owner_id) = owner_columns(owner);
        let row = self.query_opt(
            "SELECT fields, updated_at FROM form_data WHERE tenant_id = $1 AND owner_kind = $2 \
             AND owner_id = $3 AND form_identifier = $4 AND lang = $5",
            &[&tenant, &kind, &owner_id, &form, &lang],
        )?;
        let Some(row) = row else { return Ok(None) };
        let fields: Vec<StoredField> = serde_json::from_value(row.get("fields")).map_err(|e| {
            let key = format!("{tenant}/{kind}:{owner_id}/{form}/{lang}");
            corrupt("form_data", key, e)
        })?;
        Ok(Some(StoredFormData {
            fields,
            updated_at: Some(row.get("updated_at")),
        }))
    }
}

impl FormWrites for PgTx {
    fn insert_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()> {
        // The key `forms_pk` answers an identifier another form has: `form_identifier_taken`.
        self.execute(
            "INSERT INTO forms (tenant_id, identifier, title, fields, login_marker, \
             password_marker, created_at, updated_at, number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &tenant,
                &form.identifier,
                &json(serde_json::to_value(&form.title))?,
                &json(serde_json::to_value(&form.fields))?,
                &form.login_marker,
                &form.password_marker,
                &form.created_at,
                &form.updated_at,
                &number(form),
            ],
        )?;
        Ok(())
    }

    /// Stores the form whether or not it was there, as the embedded engine does; a stored
    /// form keeps its number.
    fn update_form(&mut self, tenant: &str, form: &Form) -> StorageResult<()> {
        self.execute(
            "INSERT INTO forms (tenant_id, identifier, title, fields, login_marker, \
             password_marker, created_at, updated_at, number) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant_id, identifier) DO UPDATE SET title = $3, fields = $4, \
             login_marker = $5, password_marker = $6, created_at = $7, updated_at = $8",
            &[
                &tenant,
                &form.identifier,
                &json(serde_json::to_value(&form.title))?,
                &json(serde_json::to_value(&form.fields))?,
                &form.login_marker,
                &form.password_marker,
                &form.created_at,
                &form.updated_at,
                &number(form),
            ],
        )?;
        Ok(())
    }

    /// Every owner's data for the form goes with it (`form_data_form_fk` cascades).
    fn delete_form(&mut self, tenant: &str, identifier: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM forms WHERE tenant_id = $1 AND identifier = $2",
            &[&tenant, &identifier],
        )?;
        Ok(())
    }

    /// Submitted values are stored with U+0000 replaced by U+FFFD (`jsonb` cannot hold it).
    /// The form must exist (`form_data_form_fk`): the rules check it before they write data.
    fn put_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
        form: &str,
        lang: &str,
        fields: &[StoredField],
        updated_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        let (kind, owner_id) = owner_columns(owner);
        let fields = storable_json(json(serde_json::to_value(fields))?);
        self.execute(
            "INSERT INTO form_data (tenant_id, owner_kind, owner_id, form_identifier, lang, \
             fields, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, owner_kind, owner_id, form_identifier, lang) \
             DO UPDATE SET fields = $6, updated_at = $7",
            &[
                &tenant,
                &kind,
                &owner_id,
                &form,
                &lang,
                &fields,
                &updated_at,
            ],
        )?;
        Ok(())
    }

    fn delete_owner_form_data(
        &mut self,
        tenant: &str,
        owner: &FormDataOwner,
    ) -> StorageResult<usize> {
        let (kind, owner_id) = owner_columns(owner);
        let deleted = self.execute(
            "DELETE FROM form_data WHERE tenant_id = $1 AND owner_kind = $2 AND owner_id = $3",
            &[&tenant, &kind, &owner_id],
        )?;
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    }
}
