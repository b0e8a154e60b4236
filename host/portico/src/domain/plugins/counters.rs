//! Per-plugin invocation counters, updated in the transaction that records the invocation.

use serde::{Deserialize, Serialize};

use portico_core::plugins::Outcome;
use crate::store::{Reader, StoreResult, Table};

/// Calls of one plugin, in total and by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub total: u64,
    pub by_outcome: ByOutcome,
    /// Records of this plugin in the invocation log now: the server's
    /// `--invocations-kept-per-plugin` and up to a tenth more, the oldest deleted first. Records written before this
    /// count existed are not in it (0 in their counters), so such a log keeps them on top of
    /// the maximum until pruning reaches them.
    #[serde(default)]
    pub logged: u64,
}

/// Calls by outcome, one field per `Outcome` named as `Outcome::name` (`ok`, `denied`, `trap`,
/// `out_of_fuel`, `deadline`, `memory`, `bad_output`), every one always present. Stored as the
/// JSON object it always was (records written as a map with some keys missing read as 0): a
/// struct, so that counting a call decodes and encodes no map of strings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ByOutcome {
    pub ok: u64,
    pub denied: u64,
    pub trap: u64,
    pub out_of_fuel: u64,
    pub deadline: u64,
    pub memory: u64,
    pub bad_output: u64,
}

impl ByOutcome {
    /// The counter of one outcome.
    pub fn get_mut(&mut self, outcome: Outcome) -> &mut u64 {
        match outcome {
            Outcome::Ok => &mut self.ok,
            Outcome::Denied => &mut self.denied,
            Outcome::Trap => &mut self.trap,
            Outcome::OutOfFuel => &mut self.out_of_fuel,
            Outcome::Deadline => &mut self.deadline,
            Outcome::Memory => &mut self.memory,
            Outcome::BadOutput => &mut self.bad_output,
        }
    }
}

impl Counters {
    pub(crate) fn load<R: Reader>(
        tx: &R,
        tenant_id: &str,
        plugin_id: &str,
    ) -> StoreResult<Counters> {
        Ok(tx
            .get(Table::PluginCounters, tenant_id, plugin_id)?
            .unwrap_or_default())
    }

    /// Counts one call whose record was just added to the log.
    pub(crate) fn count(&mut self, outcome: Outcome) {
        self.total += 1;
        *self.by_outcome.get_mut(outcome) += 1;
        self.logged += 1;
    }
}

#[cfg(test)]
mod tests {
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
