//! Decoded configuration kept across requests, for any engine. An engine counts configuration
//! changes in a generation (in memory for the embedded engine, in a row every host reads for a
//! shared database); a value is kept with the generation it was computed under and reused only
//! while that generation is current, so a change acknowledged before a request starts is never
//! hidden from it.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Mutex;

use super::CachedValue;

/// Most values kept per value type; past it the cache starts over (configuration per tenant is
/// a handful of values, so this covers thousands of active tenants).
pub const CONFIG_CACHE_ENTRIES: usize = 16_384;

struct Entry {
    generation: u64,
    value: CachedValue,
}

/// Values by type and key, each with the configuration generation it was computed under.
#[derive(Default)]
pub struct ConfigCache {
    entries: Mutex<HashMap<TypeId, HashMap<String, Entry>>>,
}

impl ConfigCache {
    /// The value of type `of_type` kept under `key`, if it was computed under `generation`.
    pub fn get(&self, of_type: TypeId, key: &str, generation: u64) -> Option<CachedValue> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(&of_type)?.get(key)?;
        (entry.generation == generation).then(|| entry.value.clone())
    }

    /// Keeps `value` of type `of_type` under `key`, computed from a snapshot of `generation`.
    pub fn put(&self, of_type: TypeId, key: &str, generation: u64, value: CachedValue) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let of_type = entries.entry(of_type).or_default();
        if of_type.len() >= CONFIG_CACHE_ENTRIES {
            of_type.clear();
        }
        of_type.insert(key.to_string(), Entry { generation, value });
    }
}
