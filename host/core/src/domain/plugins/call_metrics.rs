//! The operator's metrics of plugin calls (by tenant, plugin and outcome, with fuel and
//! duration), their recorder handles kept per tenant and plugin. A validated update calls a
//! plugin once per field; looking each labelled metric up in the recorder (its key built from
//! owned labels, hashed and compared) cost more than recording the sample.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, OnceLock, PoisonError, RwLock};

use metrics::{Counter, Histogram};

use crate::plugins::{Outcome, Report};

/// One plugin's handles: its fuel and duration histograms, and a counter per outcome, registered
/// when that outcome first happens.
struct CallHandles {
    tenant: String,
    plugin: String,
    fuel: Histogram,
    duration: Histogram,
    calls: [OnceLock<Counter>; Outcome::ALL.len()],
}

impl CallHandles {
    fn new(tenant: &str, plugin: &str) -> CallHandles {
        let labels = [
            ("tenant", tenant.to_string()),
            ("plugin", plugin.to_string()),
        ];
        CallHandles {
            tenant: tenant.to_string(),
            plugin: plugin.to_string(),
            fuel: metrics::histogram!("portico_plugin_fuel", &labels),
            duration: metrics::histogram!("portico_plugin_call_duration_seconds", &labels),
            calls: Default::default(),
        }
    }

    fn calls(&self, outcome: Outcome) -> &Counter {
        let index = Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        self.calls[index].get_or_init(|| {
            metrics::counter!("portico_plugin_calls_total",
                "tenant" => self.tenant.clone(),
                "plugin" => self.plugin.clone(),
                "outcome" => outcome.name())
        })
    }
}

/// Handles by tenant namespace, then plugin name (nested, so a lookup borrows both).
type HandlesByTenant = HashMap<String, HashMap<String, Arc<CallHandles>>>;

static HANDLES: LazyLock<RwLock<HandlesByTenant>> = LazyLock::new(Default::default);

fn handles(tenant: &str, plugin: &str) -> Arc<CallHandles> {
    let known = HANDLES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(tenant)
        .and_then(|plugins| plugins.get(plugin))
        .cloned();
    known.unwrap_or_else(|| {
        let mut all = HANDLES.write().unwrap_or_else(PoisonError::into_inner);
        all.entry(tenant.to_string())
            .or_default()
            .entry(plugin.to_string())
            .or_insert_with(|| Arc::new(CallHandles::new(tenant, plugin)))
            .clone()
    })
}

/// Counts a call of the plugin `plugin` of the tenant `tenant` (namespace), with its fuel and
/// duration.
pub(super) fn record_call(tenant: &str, plugin: &str, report: &Report) {
    let handles = handles(tenant, plugin);
    handles.calls(report.outcome).increment(1);
    handles.fuel.record(report.fuel_used as f64);
    handles.duration.record(report.duration_us as f64 / 1e6);
}
