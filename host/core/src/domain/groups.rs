//! Groups and their operations: creating, listing, finding and deleting groups, and joining and
//! leaving them (`addGroup`, `removeGroup`, `containsGroup`, `isPrimaryGroup`,
//! `getPrimaryGroup`). The membership rules (one primary group per user) are in
//! `users::memberships`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::{DomainError, DomainResult};
use super::ids::new_id;
use super::page::{Page, PageRequest};
use super::tenants::{validate_name, Tenant};
pub use super::users::memberships::GroupRef;
use super::users::memberships::{add_membership, group_ref, remove_membership, resolve};
use super::users::records::{load_user, save_user, UserRecord};
use super::users::views::{view, UserView};
use super::Users;
pub use crate::groups::Group;
use crate::storage::WriteTransaction;

/// Longest group name.
pub const MAX_GROUP_NAME_LEN: usize = 100;

/// Body of "create group".
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGroup {
    /// 1 to `MAX_GROUP_NAME_LEN` letters, digits, `_`, `-` and `.`, unique in the tenant.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.-]{1,100}$"))]
    pub name: String,
    /// Free text shown for the group; the name when absent.
    pub label: Option<String>,
}

fn validate_group_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= MAX_GROUP_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if !ok {
        return Err(DomainError::bad_request(
            "invalid_group_name",
            format!("group name must be 1 to {MAX_GROUP_NAME_LEN} characters of letters, digits, '_', '-' and '.'"),
        ));
    }
    Ok(name.to_string())
}

fn change_membership(
    tx: &mut dyn WriteTransaction,
    tenant_id: &str,
    user_id: &str,
    group: &str,
    change: impl FnOnce(&mut UserRecord, &str),
    now: DateTime<Utc>,
) -> DomainResult<UserView> {
    let mut user = load_user(tx, tenant_id, user_id)?;
    let group = resolve(tx, tenant_id, group)?;
    change(&mut user, &group.id);
    save_user(tx, tenant_id, &mut user, now)?;
    view(tx, tenant_id, &user)
}

impl Users {
    /// Creates a group; refused when the tenant has a group of that name.
    pub fn create_group(&self, tenant: &Tenant, new: NewGroup) -> DomainResult<Group> {
        let name = validate_group_name(&new.name)?;
        let label = validate_name("label", new.label.as_deref().unwrap_or(&name))?;
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        if tx.group_name_taken(&tenant.id, &name)? {
            return Err(DomainError::conflict(
                "group_name_taken",
                format!("a group named '{name}' already exists"),
            ));
        }
        let group = Group {
            id: new_id(),
            name,
            label,
            created_at: self.ctx.now(),
        };
        tx.insert_group(&tenant.id, &group)?;
        tx.commit()?;
        Ok(group)
    }

    /// The tenant's groups, ordered by id, one page from `page`'s cursor.
    pub fn list_groups(&self, tenant: &Tenant, page: &PageRequest) -> DomainResult<Page<Group>> {
        let size = page.size()?;
        let tx = self.ctx.store.read()?;
        let fetched = tx.groups_after(&tenant.id, page.cursor.as_deref(), size + 1)?;
        let fetched = fetched.into_iter().map(|g| (g.id.clone(), g)).collect();
        Ok(Page::from_fetched(fetched, size))
    }

    /// A group by id, name or label (a label must be unambiguous).
    pub fn get_group(&self, tenant: &Tenant, id_or_name_or_label: &str) -> DomainResult<Group> {
        resolve(&*self.ctx.store.read()?, &tenant.id, id_or_name_or_label)
    }

    /// Deletes a group and removes it from every member, re-electing their primary group.
    pub fn delete_group(&self, tenant: &Tenant, id_or_name_or_label: &str) -> DomainResult<()> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let group = resolve(&*tx, &tenant.id, id_or_name_or_label)?;
        let users = tx.users_in_group(&tenant.id, &group.id)?;
        let now = self.ctx.now();
        for mut user in users {
            if remove_membership(&mut user, &group.id) {
                save_user(&mut *tx, &tenant.id, &mut user, now)?;
            }
        }
        tx.delete_group(&tenant.id, &group.id)?;
        tx.commit()?;
        Ok(())
    }

    /// `addGroup(user, group, primary)`.
    pub fn add_user_group(
        &self,
        tenant: &Tenant,
        user_id: &str,
        group: &str,
        primary: bool,
    ) -> DomainResult<UserView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let add = |u: &mut UserRecord, g: &str| add_membership(u, g, primary);
        let view = change_membership(&mut *tx, &tenant.id, user_id, group, add, self.ctx.now())?;
        tx.commit()?;
        Ok(view)
    }

    /// `removeGroup(user, group)`: removing a group the user is not in changes nothing.
    pub fn remove_user_group(
        &self,
        tenant: &Tenant,
        user_id: &str,
        group: &str,
    ) -> DomainResult<UserView> {
        let mut tx = self.ctx.store.write_tenant(&tenant.id)?;
        let remove = |u: &mut UserRecord, g: &str| {
            remove_membership(u, g);
        };
        let view = change_membership(&mut *tx, &tenant.id, user_id, group, remove, self.ctx.now())?;
        tx.commit()?;
        Ok(view)
    }

    /// `containsGroup(user, group)`.
    pub fn user_in_group(&self, tenant: &Tenant, user_id: &str, group: &str) -> DomainResult<bool> {
        let tx = self.ctx.store.read()?;
        let user = load_user(&*tx, &tenant.id, user_id)?;
        let group = resolve(&*tx, &tenant.id, group)?;
        Ok(user.groups.iter().any(|m| m.group_id == group.id))
    }

    /// `isPrimaryGroup(user, group)`.
    pub fn is_primary_group(
        &self,
        tenant: &Tenant,
        user_id: &str,
        group: &str,
    ) -> DomainResult<bool> {
        let tx = self.ctx.store.read()?;
        let user = load_user(&*tx, &tenant.id, user_id)?;
        let group = resolve(&*tx, &tenant.id, group)?;
        Ok(user
            .groups
            .iter()
            .any(|m| m.group_id == group.id && m.primary))
    }

    /// `getPrimaryGroup(user)`: `{id, name, label}`; 404 when the user has no groups.
    pub fn primary_group(&self, tenant: &Tenant, user_id: &str) -> DomainResult<GroupRef> {
        let tx = self.ctx.store.read()?;
        let user = load_user(&*tx, &tenant.id, user_id)?;
        let primary = user
            .groups
            .iter()
            .find(|m| m.primary)
            .map(|m| m.group_id.clone());
        let group = match primary {
            Some(id) => tx.group(&tenant.id, &id)?,
            None => None,
        };
        group
            .map(|g| group_ref(&g))
            .ok_or_else(|| DomainError::not_found("primary group", user_id))
    }
}
