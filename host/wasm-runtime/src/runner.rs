//! `portico plugin run`: the local runner for plugin authors. Same engine, same default limits
//! and same JSON shapes as the server's dry run, without a server or a database.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use serde_json::{json, Value};

use super::{Call, CallInput, Interface, Limits, NoLookups, Runtime};

/// Runs `file` on the input in `input_file` and answers the report as JSON:
/// `{"outcome", "result", "error", "logs", "fuelUsed", "durationUs", "exports"}`.
/// `settings` (JSON text) overrides the input's own `"settings"`.
pub fn run_file(
    file: &Path,
    interface: &str,
    input_file: &Path,
    settings: Option<&str>,
) -> anyhow::Result<Value> {
    let interface = Interface::parse(interface).with_context(|| {
        format!(
            "unknown interface '{interface}' (field-validator, signup-policy or lifecycle-hooks)"
        )
    })?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let input: Value = serde_json::from_slice(
        &std::fs::read(input_file).with_context(|| format!("reading {}", input_file.display()))?,
    )
    .with_context(|| format!("{} is not JSON", input_file.display()))?;
    let settings = match settings {
        Some(text) => serde_json::from_str::<Value>(text).context("--settings is not JSON")?,
        None => input.get("settings").cloned().unwrap_or_else(|| json!({})),
    };
    let runtime = Runtime::new()?;
    let limits = Limits::default();
    let prepared = runtime
        .prepare(&bytes, limits.component_bytes)
        .map_err(|refusal| anyhow::anyhow!("{}: {refusal}", file.display()))?;
    let call = Call {
        interface,
        input: CallInput::Json(input),
        settings: settings.to_string(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    let report = runtime
        .invoke(&prepared.sha256, call)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = serde_json::to_value(&report)?;
    out["exports"] = json!(prepared
        .exports
        .iter()
        .map(|i| i.name())
        .collect::<Vec<_>>());
    Ok(out)
}
