//! Forms per tenant: create, read, list, replace, delete.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::data::delete_form_data;
use super::definition::{validate_form, validate_identifier, Form, FormBody};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::page::{Page, PageRequest};
use crate::domain::tenants::Tenant;
use crate::domain::Domain;
use crate::store::{Reader, Table};

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

/// Loads a form by identifier (404 when there is none).
pub fn load_form<R: Reader>(tx: &R, tenant_id: &str, identifier: &str) -> DomainResult<Arc<Form>> {
    let bytes = tx
        .get_raw(Table::Forms, tenant_id, identifier)?
        .ok_or_else(|| DomainError::not_found("form", identifier))?;
    let key = (tenant_id.to_string(), identifier.to_string());
    let cache = decoded_forms();
    if let Some((cached, form)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if *cached == bytes {
            return Ok(form.clone());
        }
    }
    let form: Arc<Form> = Arc::new(decode_form(tenant_id, identifier, &bytes)?);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= DECODED_FORMS_CACHED {
        cache.clear();
    }
    cache.insert(key, (bytes, form.clone()));
    Ok(form)
}

fn decode_form(tenant_id: &str, identifier: &str, bytes: &[u8]) -> DomainResult<Form> {
    serde_json::from_slice(bytes).map_err(|e| {
        DomainError::Internal(format!(
            "stored form {tenant_id}/{identifier} does not decode: {e}"
        ))
    })
}

impl Domain {
    pub fn create_form(&self, tenant: &Tenant, body: FormBody) -> DomainResult<Form> {
        let identifier = body.identifier.clone().ok_or_else(|| {
            DomainError::bad_request("invalid_form_identifier", "a form needs an 'identifier'")
        })?;
        validate_identifier(&identifier)?;
        validate_form(&body)?;
        let mut tx = self.store.write()?;
        if tx.exists(Table::Forms, &tenant.id, &identifier)? {
            return Err(DomainError::conflict(
                "form_identifier_taken",
                format!("a form with identifier '{identifier}' already exists"),
            ));
        }
        let form = Form {
            identifier,
            title: body.title,
            fields: body.fields,
            login_marker: body.login_marker,
            password_marker: body.password_marker,
            created_at: self.now(),
            updated_at: self.now(),
        };
        tx.put(Table::Forms, &tenant.id, &form.identifier, &form)?;
        tx.commit()?;
        Ok(form)
    }

    pub fn get_form(&self, tenant: &Tenant, identifier: &str) -> DomainResult<Form> {
        let form = load_form(&self.store.read()?, &tenant.id, identifier)?;
        Ok(Arc::unwrap_or_clone(form))
    }

    /// Forms in identifier order.
    pub fn list_forms(&self, tenant: &Tenant, page: &PageRequest) -> DomainResult<Page<Form>> {
        let size = page.size()?;
        let fetched = self.store.read()?.scan(
            Table::Forms,
            &tenant.id,
            "",
            page.cursor.as_deref(),
            size + 1,
        )?;
        Ok(Page::from_fetched(fetched, size))
    }

    /// Replaces a form's title, fields and markers; the identifier stays. Stored data of
    /// fields that went away (or changed type) is no longer shown (see `data::view_fields`).
    pub fn replace_form(
        &self,
        tenant: &Tenant,
        identifier: &str,
        body: FormBody,
    ) -> DomainResult<Form> {
        if let Some(given) = &body.identifier {
            if given != identifier {
                return Err(DomainError::bad_request(
                    "identifier_mismatch",
                    format!("the body names form '{given}' but the path names '{identifier}'; identifiers do not change"),
                ));
            }
        }
        validate_form(&body)?;
        let mut tx = self.store.write()?;
        let old = load_form(&tx, &tenant.id, identifier)?;
        let form = Form {
            identifier: old.identifier.clone(),
            title: body.title,
            fields: body.fields,
            login_marker: body.login_marker,
            password_marker: body.password_marker,
            created_at: old.created_at,
            updated_at: self.now(),
        };
        tx.put(Table::Forms, &tenant.id, &form.identifier, &form)?;
        tx.commit()?;
        Ok(form)
    }

    /// Deletes a form and every owner's data for it.
    pub fn delete_form(&self, tenant: &Tenant, identifier: &str) -> DomainResult<()> {
        let mut tx = self.store.write()?;
        load_form(&tx, &tenant.id, identifier)?;
        tx.delete(Table::Forms, &tenant.id, identifier)?;
        delete_form_data(&mut tx, &tenant.id, identifier)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::Store;

    fn form_body(marker: &str) -> FormBody {
        serde_json::from_value(
            json!({"identifier": "reg", "fields": [{"marker": marker, "type": "string"}]}),
        )
        .unwrap()
    }

    /// The decoded-form cache never serves a replaced, deleted or other tenant's form.
    #[test]
    fn cached_forms_follow_the_stored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        let d = Domain::new(store.clone(), "http://localhost".into());
        let a = d.create_tenant("acme", None).unwrap();
        let b = d.create_tenant("bolt", None).unwrap();
        d.create_form(&a, form_body("nick")).unwrap();
        d.create_form(&b, form_body("other")).unwrap();
        let marker = |t: &Tenant| -> DomainResult<String> {
            Ok(load_form(&store.read()?, &t.id, "reg")?.fields[0]
                .marker
                .clone())
        };
        assert_eq!(marker(&a).unwrap(), "nick");
        assert_eq!(marker(&a).unwrap(), "nick");
        assert_eq!(marker(&b).unwrap(), "other");
        d.replace_form(&a, "reg", form_body("handle")).unwrap();
        assert_eq!(marker(&a).unwrap(), "handle");
        d.delete_form(&a, "reg").unwrap();
        assert!(matches!(marker(&a), Err(DomainError::NotFound { .. })));
        assert_eq!(marker(&b).unwrap(), "other");
    }
}
