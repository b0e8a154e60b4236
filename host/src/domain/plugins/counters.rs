//! Per-plugin invocation counters, updated in the transaction that records the invocation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plugins::Outcome;
use crate::store::{Reader, StoreResult, Table, WriteTx};

/// Calls of one plugin, in total and by outcome (`ok`, `denied`, `trap`, `out_of_fuel`,
/// `deadline`, `memory`, `bad_output`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub total: u64,
    pub by_outcome: BTreeMap<String, u64>,
}

impl Counters {
    pub(crate) fn load<R: Reader>(
        tx: &R,
        tenant_id: &str,
        plugin_id: &str,
    ) -> StoreResult<Counters> {
        let mut counters: Counters = tx
            .get(Table::PluginCounters, tenant_id, plugin_id)?
            .unwrap_or_default();
        for outcome in Outcome::ALL {
            counters
                .by_outcome
                .entry(outcome.name().to_string())
                .or_insert(0);
        }
        Ok(counters)
    }

    pub(crate) fn record(
        tx: &mut WriteTx,
        tenant_id: &str,
        plugin_id: &str,
        outcome: Outcome,
    ) -> StoreResult<()> {
        let mut counters = Counters::load(tx, tenant_id, plugin_id)?;
        counters.total += 1;
        *counters
            .by_outcome
            .entry(outcome.name().to_string())
            .or_insert(0) += 1;
        tx.put(Table::PluginCounters, tenant_id, plugin_id, &counters)?;
        Ok(())
    }
}
