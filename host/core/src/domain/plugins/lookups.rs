//! The `host` look-ups a plugin may make, implemented over the store and scoped to the tenant
//! that runs the plugin: there is no way to name another tenant.

use std::sync::Arc;

use serde_json::json;

use super::super::users::records::UserRecord;
use crate::plugins::{HostLookups, UserInfo};
use crate::storage::Storage;

/// Look-ups for one tenant.
pub struct TenantLookups {
    /// The store the look-ups read.
    pub store: Arc<dyn Storage>,
    /// The tenant running the plugin: the only one the look-ups see.
    pub tenant_id: String,
}

impl TenantLookups {
    fn user(&self, user_id: &str) -> Option<(UserRecord, Vec<String>)> {
        let tx = self.store.read().ok()?;
        let user: UserRecord = tx.user(&self.tenant_id, user_id).ok()??;
        let groups = user
            .groups
            .iter()
            .filter_map(|m| tx.group(&self.tenant_id, &m.group_id).ok().flatten())
            .map(|g| g.name)
            .collect();
        Some((user, groups))
    }
}

impl HostLookups for TenantLookups {
    fn find_user_by_email(&self, email: &str) -> Option<UserInfo> {
        let email = crate::domain::users::records::lookup_form(email);
        let id = self
            .store
            .read()
            .ok()?
            .user_id_by_email(&self.tenant_id, &email)
            .ok()??;
        let (user, groups) = self.user(&id)?;
        Some(UserInfo {
            status: serde_json::to_value(user.status)
                .ok()?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            data: json!({"firstName": user.first_name, "lastName": user.last_name}).to_string(),
            id: user.id,
            email: user.email,
            groups,
        })
    }

    fn user_groups(&self, user_id: &str) -> Vec<String> {
        self.user(user_id)
            .map(|(_, groups)| groups)
            .unwrap_or_default()
    }
}
