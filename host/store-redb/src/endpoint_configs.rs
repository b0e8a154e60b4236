//! The endpoint configs port on redb: `Table::EndpointConfigs`, `user id \u{1f} endpoint` ->
//! the JSON document.

use portico_core::storage::{EndpointConfigReads, EndpointConfigWrites, StorageResult};

use super::{composite_key, RawReader, ReadTx, Reader, Table, WriteTx};

macro_rules! endpoint_config_reads {
    ($($t:ty),*) => {$(
        impl EndpointConfigReads for $t {
            fn endpoint_config(
                &self,
                tenant: &str,
                user_id: &str,
                endpoint: &str,
            ) -> StorageResult<Option<serde_json::Value>> {
                let key = composite_key(user_id, endpoint);
                Ok(self.get(Table::EndpointConfigs, tenant, &key)?)
            }
        }
    )*};
}
endpoint_config_reads!(ReadTx, WriteTx<'_>);

impl EndpointConfigWrites for WriteTx<'_> {
    fn put_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
        config: &serde_json::Value,
    ) -> StorageResult<()> {
        let key = composite_key(user_id, endpoint);
        Ok(self.put(Table::EndpointConfigs, tenant, &key, config)?)
    }

    fn delete_endpoint_config(
        &mut self,
        tenant: &str,
        user_id: &str,
        endpoint: &str,
    ) -> StorageResult<bool> {
        let key = composite_key(user_id, endpoint);
        Ok(self.delete(Table::EndpointConfigs, tenant, &key)?)
    }

    fn delete_user_endpoint_configs(&mut self, tenant: &str, user_id: &str) -> StorageResult<()> {
        let prefix = composite_key(user_id, "");
        let keys = self.scan_raw(Table::EndpointConfigs, tenant, &prefix, None, usize::MAX)?;
        for (key, _) in keys {
            self.delete(Table::EndpointConfigs, tenant, &key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portico_core::storage::{EndpointConfigReads, EndpointConfigWrites};
    use serde_json::json;

    use crate::{composite_key, Reader, Store, Table};

    #[test]
    fn a_users_configurations_go_with_it_and_no_one_elses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.put_endpoint_config("t", "u1", "http", &json!({"a": 1}))
            .unwrap();
        tx.put_endpoint_config("t", "u1", "mail", &json!({"b": 2}))
            .unwrap();
        // An id that starts with the other one's.
        tx.put_endpoint_config("t", "u10", "http", &json!({"c": 3}))
            .unwrap();
        tx.put_endpoint_config("t", "u1", "http", &json!({"a": 4}))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let key = composite_key("u1", "http");
        let raw: Option<serde_json::Value> = read.get(Table::EndpointConfigs, "t", &key).unwrap();
        assert_eq!(raw, Some(json!({"a": 4})));
        assert_eq!(read.endpoint_config("other", "u1", "http").unwrap(), None);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_endpoint_config("t", "u1", "mail").unwrap());
        assert!(!tx.delete_endpoint_config("t", "u1", "mail").unwrap());
        tx.put_endpoint_config("t", "u1", "mail", &json!({}))
            .unwrap();
        tx.delete_user_endpoint_configs("t", "u1").unwrap();
        assert_eq!(tx.endpoint_config("t", "u1", "http").unwrap(), None);
        assert_eq!(tx.endpoint_config("t", "u1", "mail").unwrap(), None);
        assert_eq!(
            tx.endpoint_config("t", "u10", "http").unwrap(),
            Some(json!({"c": 3}))
        );
    }
}
