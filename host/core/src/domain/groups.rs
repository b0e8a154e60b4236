//! Groups and user membership. A user with groups has exactly one primary group:
//! - the first group a user joins becomes primary, whatever the `primary` flag says;
//! - joining (or re-adding) a group with `primary` makes it the primary one;
//! - when the primary group is removed from the user (or deleted from the tenant), the group the
//!   user joined earliest among those left becomes primary; with none left there is no primary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};
use super::ids::{looks_like_id, new_id};
use super::page::{Page, PageRequest};
use super::tenants::{validate_name, Tenant};
use super::users::{load_user, save_user, view, UserRecord, UserView};
use super::Users;
pub use crate::groups::Group;
use crate::storage::prelude::*;
use crate::storage::WriteTransaction;

/// Longest group name.
pub const MAX_GROUP_NAME_LEN: usize = 100;

/// `{id, name, label}`, as `getPrimaryGroup` answers.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRef {
    /// The group's id.
    pub id: String,
    /// Its name, unique in the tenant.
    pub name: String,
    /// Its label.
    pub label: String,
}

/// A user's membership as the API shows it.
#[derive(Debug, Serialize)]
pub struct MembershipView {
    /// The group (its fields are shown inline).
    #[serde(flatten)]
    pub group: GroupRef,
    /// Whether it is the user's primary group.
    pub primary: bool,
}

pub(crate) use crate::users::Membership;

/// Body of "create group".
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGroup {
    /// 1 to `MAX_GROUP_NAME_LEN` letters, digits, `_`, `-` and `.`, unique in the tenant.
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

fn group_ref(g: &Group) -> GroupRef {
    GroupRef {
        id: g.id.clone(),
        name: g.name.clone(),
        label: g.label.clone(),
    }
}

/// Finds a group by id, else by name, else by label (which must then be unambiguous).
pub(crate) fn resolve(
    tx: &(impl GroupReads + ?Sized),
    tenant_id: &str,
    id_or_name_or_label: &str,
) -> DomainResult<Group> {
    let key = id_or_name_or_label.trim();
    if key.is_empty() {
        return Err(DomainError::bad_request(
            "invalid_group",
            "a group id, name or label is required",
        ));
    }
    if looks_like_id(key) {
        if let Some(g) = tx.group(tenant_id, key)? {
            return Ok(g);
        }
    }
    if let Some(g) = tx.group_by_name(tenant_id, key)? {
        return Ok(g);
    }
    let mut by_label = tx.groups_with_label(tenant_id, key)?;
    match by_label.len() {
        0 => Err(DomainError::not_found("group", key)),
        1 => Ok(by_label.remove(0)),
        _ => Err(DomainError::bad_request(
            "ambiguous_group",
            format!("several groups have the label '{key}'; use the group's id or name"),
        )),
    }
}

/// Adds (or re-flags) a membership, keeping exactly one primary.
pub(crate) fn add_membership(user: &mut UserRecord, group_id: &str, primary: bool) {
    let make_primary = primary || user.groups.is_empty();
    if !user.groups.iter().any(|m| m.group_id == group_id) {
        user.groups.push(Membership {
            group_id: group_id.to_string(),
            primary: false,
        });
    }
    if make_primary {
        for m in &mut user.groups {
            m.primary = m.group_id == group_id;
        }
    }
}

/// Removes a membership; answers whether there was one. The earliest remaining group becomes
/// primary when the primary one goes.
pub(crate) fn remove_membership(user: &mut UserRecord, group_id: &str) -> bool {
    let Some(pos) = user.groups.iter().position(|m| m.group_id == group_id) else {
        return false;
    };
    let removed = user.groups.remove(pos);
    if removed.primary {
        if let Some(first) = user.groups.first_mut() {
            first.primary = true;
        }
    }
    true
}

pub(crate) fn membership_views(
    tx: &(impl GroupReads + ?Sized),
    tenant_id: &str,
    memberships: &[Membership],
) -> DomainResult<Vec<MembershipView>> {
    let mut out = Vec::with_capacity(memberships.len());
    for m in memberships {
        if let Some(g) = tx.group(tenant_id, &m.group_id)? {
            out.push(MembershipView {
                group: group_ref(&g),
                primary: m.primary,
            });
        }
    }
    Ok(out)
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
        let mut tx = self.ctx.store.write()?;
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
        let mut tx = self.ctx.store.write()?;
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
        let mut tx = self.ctx.store.write()?;
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
        let mut tx = self.ctx.store.write()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::users::UserStatus;

    fn user() -> UserRecord {
        UserRecord {
            id: "u".into(),
            kind: Default::default(),
            first_name: "a".into(),
            last_name: "b".into(),
            email: "a@b.c".into(),
            status: UserStatus::Active,
            groups: vec![],
            identity_providers: vec![],
            oauth_provider_id: None,
            password_hash: None,
            password_expired: false,
            reset_code_digest: None,
            notification_data: None,
            state: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn primary(u: &UserRecord) -> Vec<&str> {
        u.groups
            .iter()
            .filter(|m| m.primary)
            .map(|m| m.group_id.as_str())
            .collect()
    }

    #[test]
    fn exactly_one_primary() {
        let mut u = user();
        add_membership(&mut u, "g1", false);
        assert_eq!(primary(&u), ["g1"]);
        add_membership(&mut u, "g2", false);
        add_membership(&mut u, "g3", true);
        assert_eq!(primary(&u), ["g3"]);
        assert!(remove_membership(&mut u, "g3"));
        assert_eq!(primary(&u), ["g1"]);
        assert!(!remove_membership(&mut u, "g3"));
        remove_membership(&mut u, "g1");
        remove_membership(&mut u, "g2");
        assert!(primary(&u).is_empty());
    }
}
