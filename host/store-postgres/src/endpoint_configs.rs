//! The endpoint configs aggregate on PostgreSQL: `endpoint_configs`, a JSON object per (user,
//! endpoint name), keyed `(tenant_id, user_id, endpoint)`; a user's configurations go with the
//! user (`ON DELETE CASCADE`), and `delete_user_endpoint_configs` deletes the key's prefix.
//!
//! The schema holds objects only (`CHECK (jsonb_typeof(config) = 'object')`), as the rules
//! store them; and, as `users` requires, configurations of a stored user only.

use portico_core::storage::{EndpointConfigReads, EndpointConfigWrites, StorageResult};

use crate::transaction::PgTx;
use crate::users::storable_json;

impl EndpointConfigReads for PgTx {
    fn endpoint_config(
        &self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
    ) -> StorageResult<Option<serde_json::Value>> {
        let row = self.query_opt(
            "SELECT config FROM endpoint_configs \
             WHERE tenant_id = $1 AND user_id = $2 AND endpoint = $3",
            &[&tenant, &user_id, &endpoint],
        )?;
        Ok(row.map(|r| r.get(0)))
    }
}

impl EndpointConfigWrites for PgTx {
    /// Stores the configuration (an upsert); the character U+0000, which `jsonb` cannot hold,
    /// is stored as U+FFFD.
    fn put_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
        config: &serde_json::Value,
    ) -> StorageResult<()> {
        let config = storable_json(config);
        self.execute(
            "INSERT INTO endpoint_configs (tenant_id, user_id, endpoint, config) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, user_id, endpoint) DO UPDATE \
             SET config = $4",
            &[&tenant, &user_id, &endpoint, &config],
        )?;
        Ok(())
    }

    fn delete_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
    ) -> StorageResult<bool> {
        let deleted = self.execute(
            "DELETE FROM endpoint_configs WHERE tenant_id = $1 AND user_id = $2 AND endpoint = $3",
            &[&tenant, &user_id, &endpoint],
        )?;
        Ok(deleted > 0)
    }

    fn delete_user_endpoint_configs(&mut self, tenant: &str, user_id: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM endpoint_configs WHERE tenant_id = $1 AND user_id = $2",
            &[&tenant, &user_id],
        )?;
        Ok(())
    }
}
