//! Decoded configuration, reused across requests. Every validated form write needs the tenant's
//! validator bindings, their plugins and versions and the tenant's plugin limits: several read
//! transactions and JSON decodes per request for records that change a few times a day. A value
//! computed from them is kept until a commit writes any configuration table
//! (`Table::is_configuration`); that commit bumps a generation before its writers are answered,
//! so a request that starts after a configuration change was answered never sees the old value.

use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use portico_core::storage::ConfigCache as Values;

#[derive(Default)]
pub(crate) struct ConfigCache {
    /// Bumped by the committer after each commit that wrote configuration.
    generation: AtomicU64,
    values: Values,
}

impl ConfigCache {
    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Called by the committer once a batch that wrote configuration is committed, before its
    /// writers are answered.
    pub(super) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The value of type `of_type` stored under `key`, if it is of the current generation.
    pub(super) fn get_any(&self, of_type: TypeId, key: &str) -> Option<Arc<dyn Any + Send + Sync>> {
        self.values.get(of_type, key, self.generation())
    }

    /// Stores `value` of type `of_type`, computed from a snapshot opened after `generation` was
    /// read.
    pub(super) fn put_any(
        &self,
        of_type: TypeId,
        key: &str,
        generation: u64,
        value: Arc<dyn Any + Send + Sync>,
    ) {
        self.values.put(of_type, key, generation, value);
    }
}
