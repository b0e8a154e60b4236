//! Decoded configuration, reused across requests. Every validated form write needs the tenant's
//! validator bindings, their plugins and versions and the tenant's plugin limits: several read
//! transactions and JSON decodes per request for records that change a few times a day. A value
//! computed from them is kept until a commit writes any configuration table
//! (`Table::is_configuration`); that commit bumps a generation before its writers are answered,
//! so a request that starts after a configuration change was answered never sees the old value.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Most values kept per value type; past it the cache starts over (configuration per tenant is a handful of
/// values, so this covers thousands of active tenants).
pub const CONFIG_CACHE_ENTRIES: usize = 16_384;

struct Entry {
    generation: u64,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Default)]
pub(crate) struct ConfigCache {
    /// Bumped by the committer after each commit that wrote configuration.
    generation: AtomicU64,
    /// By value type, then key.
    entries: Mutex<HashMap<TypeId, HashMap<String, Entry>>>,
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
        let generation = self.generation();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(&of_type)?.get(key)?;
        (entry.generation == generation).then(|| entry.value.clone())
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
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let of_type = entries.entry(of_type).or_default();
        if of_type.len() >= CONFIG_CACHE_ENTRIES {
            of_type.clear();
        }
        of_type.insert(key.to_string(), Entry { generation, value });
    }
}
