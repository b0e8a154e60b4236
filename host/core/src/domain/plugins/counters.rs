//! Per-plugin invocation counters, updated in the transaction that records the invocation.

pub use crate::plugin_records::Counters;
use crate::storage::{PluginReads, StorageResult};

/// A plugin's counters (all zero before its first call).
pub fn load_counters(
    tx: &(impl PluginReads + ?Sized),
    tenant_id: &str,
    plugin_id: &str,
) -> StorageResult<Counters> {
    Ok(tx
        .plugin_counters(tenant_id, plugin_id)?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::plugin_records::ByOutcome;
    use crate::plugins::Outcome;
    use serde_json::json;

    use super::*;

    #[test]
    fn counters_keep_their_stored_json_shape() {
        // As written before this was a struct: a map that may lack outcomes.
        let stored = json!({"total": 4, "byOutcome": {"ok": 3, "out_of_fuel": 1}});
        let mut counters: Counters = serde_json::from_value(stored).unwrap();
        assert_eq!(counters.by_outcome.memory, 0);
        assert_eq!(counters.logged, 0, "not counted before the log was bounded");
        *counters.by_outcome.get_mut(Outcome::Memory) += 1;
        let written = serde_json::to_value(&counters).unwrap();
        let mut keys: Vec<&str> = written["byOutcome"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
        keys.sort();
        expected.sort();
        assert_eq!(keys, expected, "every outcome, under its name");
        for outcome in Outcome::ALL {
            let mut one = ByOutcome::default();
            *one.get_mut(outcome) += 1;
            assert_eq!(serde_json::to_value(one).unwrap()[outcome.name()], 1);
        }
        assert_eq!(written["byOutcome"]["ok"], 3);
        assert_eq!(written["byOutcome"]["memory"], 1);
    }
}
