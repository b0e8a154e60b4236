//! Forms per tenant: create, read, list, replace, delete.

use std::sync::Arc;

use super::definition::{validate_form, validate_identifier, Form, FormBody, MAX_FORMS_PER_TENANT};
use crate::domain::auth_providers::check_form_not_in_use;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::page::{Page, PageRequest};
use crate::domain::tenants::Tenant;
use crate::domain::Forms;
use crate::storage::{FormReads, NumberSequence};

/// Loads a form by identifier (404 when there is none).
pub fn load_form(
    tx: &(impl FormReads + ?Sized),
    tenant_id: &str,
    identifier: &str,
) -> DomainResult<Arc<Form>> {
    tx.form(tenant_id, identifier)?
        .ok_or_else(|| DomainError::not_found("form", identifier))
}

impl Forms {
    /// Creates a form from a checked definition; refused when its identifier is taken.
    pub fn create_form(&self, tenant: &Tenant, body: FormBody) -> DomainResult<Form> {
        let identifier = body.identifier.clone().ok_or_else(|| {
            DomainError::bad_request("invalid_form_identifier", "a form needs an 'identifier'")
        })?;
        validate_identifier(&identifier)?;
        validate_form(&body)?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.form_exists(&tenant.id, &identifier)? {
            return Err(DomainError::conflict(
                "form_identifier_taken",
                format!("a form with identifier '{identifier}' already exists"),
            ));
        }
        if tx
            .forms_after(&tenant.id, None, MAX_FORMS_PER_TENANT)?
            .len()
            >= MAX_FORMS_PER_TENANT
        {
            return Err(DomainError::conflict(
                "too_many_forms",
                format!(
                    "a tenant defines at most {MAX_FORMS_PER_TENANT} forms (MAX_FORMS_PER_TENANT)"
                ),
            ));
        }
        let form = Form {
            number: tx.next_number(&tenant.id, NumberSequence::Forms)?,
            identifier,
            title: body.title,
            fields: body.fields,
            login_marker: body.login_marker,
            password_marker: body.password_marker,
            created_at: self.ctx.now(),
            updated_at: self.ctx.now(),
        };
        tx.insert_form(&tenant.id, &form)?;
        tx.commit()?;
        Ok(form)
    }

    /// A form by identifier.
    pub fn get_form(&self, tenant: &Tenant, identifier: &str) -> DomainResult<Form> {
        let form = load_form(&*self.ctx.store.read()?, &tenant.id, identifier)?;
        Ok(Arc::unwrap_or_clone(form))
    }

    /// Forms in identifier order.
    pub fn list_forms(&self, tenant: &Tenant, page: &PageRequest) -> DomainResult<Page<Form>> {
        let size = page.size()?;
        let fetched = self
            .ctx
            .store
            .read()?
            .forms_after(&tenant.id, page.cursor.as_deref(), size + 1)?
            .into_iter()
            .map(|form| (form.identifier.clone(), form))
            .collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// Forms in number (creation) order from `offset`, at most `limit`, with how many there are
    /// (at most `MAX_FORMS_PER_TENANT`): the OneEntry layer's `getAllForms`.
    pub fn forms_by_number(
        &self,
        tenant: &Tenant,
        offset: usize,
        limit: usize,
    ) -> DomainResult<(Vec<Form>, usize)> {
        let mut forms =
            self.ctx
                .store
                .read()?
                .forms_after(&tenant.id, None, MAX_FORMS_PER_TENANT)?;
        forms.sort_by_key(|form| form.number);
        let total = forms.len();
        Ok((forms.into_iter().skip(offset).take(limit).collect(), total))
    }

    /// Replaces a form's title, fields and markers; the identifier stays. A form an auth
    /// provider uses keeps a login and a password marker (409 `form_in_use`). Stored data of
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
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let old = load_form(&*tx, &tenant.id, identifier)?;
        if body.login_marker.is_none() || body.password_marker.is_none() {
            let change = "lose its loginMarker or passwordMarker";
            check_form_not_in_use(&*tx, &tenant.id, identifier, change)?;
        }
        let form = Form {
            identifier: old.identifier.clone(),
            number: old.number,
            title: body.title,
            fields: body.fields,
            login_marker: body.login_marker,
            password_marker: body.password_marker,
            created_at: old.created_at,
            updated_at: self.ctx.now(),
        };
        tx.update_form(&tenant.id, &form)?;
        tx.commit()?;
        Ok(form)
    }

    /// Deletes a form and every owner's data for it; refused (409 `form_in_use`) while an
    /// auth provider uses it.
    pub fn delete_form(&self, tenant: &Tenant, identifier: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        load_form(&*tx, &tenant.id, identifier)?;
        check_form_not_in_use(&*tx, &tenant.id, identifier, "be deleted")?;
        tx.delete_form(&tenant.id, identifier)?;
        tx.commit()?;
        Ok(())
    }
}
