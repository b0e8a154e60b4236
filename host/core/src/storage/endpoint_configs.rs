//! The endpoint configs port: a JSON document per (user, endpoint name).

use super::StorageResult;

/// Reading per-user endpoint configurations.
pub trait EndpointConfigReads {
    /// User `user_id`'s configuration of `endpoint`.
    fn endpoint_config(
        &self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
    ) -> StorageResult<Option<serde_json::Value>>;
}

/// Writing per-user endpoint configurations.
pub trait EndpointConfigWrites: EndpointConfigReads {
    /// Stores user `user_id`'s configuration of `endpoint` (replacing any).
    fn put_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
        config: &serde_json::Value,
    ) -> StorageResult<()>;
    /// Deletes user `user_id`'s configuration of `endpoint`; answers whether there was one.
    fn delete_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
    ) -> StorageResult<bool>;
    /// Deletes every endpoint configuration of user `user_id`.
    fn delete_user_endpoint_configs(&mut self, tenant: &str, user_id: &str) -> StorageResult<()>;
}
