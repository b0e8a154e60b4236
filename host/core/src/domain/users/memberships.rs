//! A user's group memberships, over a transaction: finding a group by id, name or label, joining
//! and leaving groups (one primary among them), and the memberships as the API shows them. A
//! user with groups has exactly one primary group:
//! - the first group a user joins becomes primary, whatever the `primary` flag says;
//! - joining (or re-adding) a group with `primary` makes it the primary one;
//! - when the primary group is removed from the user (or deleted from the tenant), the group the
//!   user joined earliest among those left becomes primary; with none left there is no primary.
//!
//! The groups themselves and their operations are in `domain::groups`.

use serde::Serialize;

use super::records::UserRecord;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::ids::looks_like_id;
use crate::groups::Group;
use crate::storage::prelude::*;

pub(crate) use crate::users::Membership;

/// `{id, name, label}`, as `getPrimaryGroup` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipView {
    /// The group (its fields are shown inline).
    #[serde(flatten)]
    pub group: GroupRef,
    /// Whether it is the user's primary group.
    pub primary: bool,
}

/// `{id, name, label}` of `g`.
pub(crate) fn group_ref(g: &Group) -> GroupRef {
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

/// `memberships` as the API shows them, in order; those of deleted groups are left out.
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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::users::records::UserStatus;

    fn user() -> UserRecord {
        UserRecord {
            id: "u".into(),
            number: 1,
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
