//! Which plugin versions stay compiled in memory. A loaded version costs about 0.5 MB of
//! resident code and tables (measured: 243 MB of executable mappings plus 254 MB of the rest of
//! the artifacts for 1,003 loaded versions of a 100 KB component, docs/performance.md "Restart and
//! scale"), so a host with thousands of tenants keeps only the recently used ones and reloads
//! the others from their stored artifact (a deserialization, never a compilation) on their next
//! call.

use std::collections::VecDeque;
use std::sync::Mutex;

/// Default for the most plugin versions (distinct sha256s) kept loaded at once
/// (`portico serve --resident-plugin-versions`). 128 versions are about 64 MB of code; a cold
/// version costs one artifact read and deserialization (about 1-3 ms) on its next call.
pub const DEFAULT_RESIDENT_PLUGIN_VERSIONS: usize = 128;

/// At most this many stored versions are deserialized at start, before serving; the rest load
/// on their first call. Bounds the time to ready whatever the number of cached versions
/// (about 2.4 ms per version when all 1,003 were loaded eagerly).
pub const PRELOAD_PLUGIN_VERSIONS: usize = 64;

/// Least recently used order of the loaded versions (by sha256), front the oldest, with the
/// number of calls running each: a version in use is never unloaded under a running call.
pub struct Residency {
    capacity: usize,
    order: Mutex<VecDeque<Entry>>,
}

struct Entry {
    sha256: String,
    in_use: usize,
}

impl Residency {
    /// Keeps at most `capacity` versions (at least one) that are not in use.
    pub fn new(capacity: usize) -> Residency {
        Residency {
            capacity: capacity.max(1),
            order: Mutex::new(VecDeque::new()),
        }
    }

    /// The most versions kept loaded while no call uses them.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Marks `sha256` as just used (and in use by one more call when `pin`); answers the
    /// versions to unload to stay within capacity.
    pub fn touch(&self, sha256: &str, pin: bool) -> Vec<String> {
        let mut order = self.order.lock().unwrap_or_else(|e| e.into_inner());
        // Linear: the list holds about `capacity` short strings, far below a plugin call's cost.
        let mut entry = match order.iter().position(|e| e.sha256 == sha256) {
            Some(i) => order.remove(i).expect("index in range"),
            None => Entry {
                sha256: sha256.to_string(),
                in_use: 0,
            },
        };
        entry.in_use += usize::from(pin);
        order.push_back(entry);
        self.trim(&mut order)
    }

    /// A call of `sha256` ended; answers the versions to unload to stay within capacity.
    pub fn release(&self, sha256: &str) -> Vec<String> {
        let mut order = self.order.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = order.iter_mut().find(|e| e.sha256 == sha256) {
            e.in_use = e.in_use.saturating_sub(1);
        }
        self.trim(&mut order)
    }

    /// Removes the oldest versions not in use until at most `capacity` remain (more stay only
    /// while more than `capacity` are in use at once).
    fn trim(&self, order: &mut VecDeque<Entry>) -> Vec<String> {
        let mut evicted = Vec::new();
        let mut i = 0;
        while order.len() > self.capacity && i < order.len() {
            if order[i].in_use == 0 {
                evicted.push(order.remove(i).expect("index in range").sha256);
            } else {
                i += 1;
            }
        }
        evicted
    }

    /// Forgets a version unloaded for another reason (its last plugin was deleted).
    pub fn forget(&self, sha256: &str) {
        let mut order = self.order.lock().unwrap_or_else(|e| e.into_inner());
        order.retain(|e| e.sha256 != sha256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let r = Residency::new(2);
        assert!(r.touch("a", false).is_empty());
        assert!(r.touch("b", false).is_empty());
        assert!(r.touch("a", false).is_empty());
        assert_eq!(r.touch("c", false), vec!["b".to_string()]);
        assert_eq!(r.touch("b", false), vec!["a".to_string()]);
        r.forget("c");
        assert!(r.touch("d", false).is_empty());
    }

    #[test]
    fn versions_in_use_are_not_evicted_until_released() {
        let r = Residency::new(1);
        assert!(r.touch("a", true).is_empty());
        assert!(r.touch("b", true).is_empty(), "both in use: over capacity");
        assert_eq!(r.release("a"), vec!["a".to_string()]);
        assert!(r.release("b").is_empty());
        assert_eq!(r.touch("c", false), vec!["b".to_string()]);
    }
}
