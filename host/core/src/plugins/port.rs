//! The plugin port: what the rules need from a plugin runtime, in the core's own types. The
//! WebAssembly runtime implements it; `Disabled` stands in where no runtime is set, so the rules
//! (registry, bindings, failure policy, invocation log) are testable without one.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::limits::Limits;
use super::lookups::HostLookups;
use super::report::{Interface, Refusal, Report};
use crate::fields::Field;

/// What the rules need from a plugin runtime.
pub trait PluginRuntime: Send + Sync {
    /// The key, besides the sha256, under which compiled artifacts are stored.
    fn compatibility_hash(&self) -> String;
    /// Checks uploaded bytes (size, component, imports, exports) and compiles them once.
    fn prepare(&self, bytes: &[u8], max_bytes: u64) -> Result<Prepared, Refusal>;
    /// Makes a stored artifact runnable without compiling.
    fn load_artifact(&self, sha256: &str, artifact: &[u8]) -> Result<LoadSource, String>;
    /// How a version is loaded in this process, if it is.
    fn loaded_from(&self, sha256: &str) -> Option<LoadSource>;
    /// Runs one call on a fresh instance; the call is moved in (its input is built for it).
    fn invoke(&self, sha256: &str, call: Call) -> Result<Report, InvokeError>;
    /// Forgets a loaded version.
    fn unload(&self, sha256: &str);
    /// Compilations and deserializations since start.
    fn stats(&self) -> RuntimeStats;
}

/// How the runtime got a version's code in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LoadSource {
    /// Compiled from the component's bytes.
    Compiled,
    /// Deserialized from a stored artifact, without compiling.
    Deserialized,
}

/// A checked, compiled component.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The sha256 of the component's bytes (hex).
    pub sha256: String,
    /// The component's size in bytes.
    pub size: u64,
    /// The Portico interfaces it exports.
    pub exports: Vec<Interface>,
    /// The compiled code, to store for the next start.
    pub artifact: Vec<u8>,
}

/// Process-wide counters, for tests and operators.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuntimeStats {
    /// Components compiled since start.
    pub compilations: u64,
    /// Stored artifacts deserialized since start.
    pub deserializations: u64,
    /// Versions loaded now.
    pub loaded_versions: usize,
}

/// What a call runs on.
#[derive(Debug, Clone)]
pub enum CallInput {
    /// The runner's JSON shape: `{"fields": [..]}`, `{"request": {..}}` (a signup link),
    /// `{"function": "decide-self-signup", "request": {..}}` (a self sign-up) or
    /// `{"hook": "before-block", "event": {..}}`. The answer comes back typed in
    /// `Report::answer` and as JSON in `Report::result`.
    Json(Value),
    /// Validator fields the caller already holds as typed values (the forms layer parses its
    /// fields once): no JSON in, and the violations come back typed in `Report::answer`, with
    /// no JSON out.
    Fields(Vec<Field>),
}

impl CallInput {
    /// The JSON input, if the call has one.
    pub fn json(&self) -> Option<&Value> {
        match self {
            CallInput::Json(v) => Some(v),
            CallInput::Fields(_) => None,
        }
    }
}

/// One call to make.
#[derive(Clone)]
pub struct Call {
    /// The interface called.
    pub interface: Interface,
    /// What it runs on.
    pub input: CallInput,
    /// The binding's settings as JSON text (`{}` when none).
    pub settings: String,
    /// The limits it runs under.
    pub limits: Limits,
    /// Look-ups for the `host` imports, scoped to the calling tenant.
    pub lookups: Arc<dyn HostLookups>,
}

/// Why a call was not made at all (nothing ran, nothing to record as an invocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// The version is not loaded in this process (load its artifact first).
    NotLoaded,
    /// The component does not export the interface.
    NotExported(Interface),
    /// The input does not have the interface's JSON shape.
    BadInput(String),
    /// Every instance slot of the runtime is in use: the host's capacity, not the plugin's
    /// failure.
    NoInstanceSlot,
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvokeError::NotLoaded => f.write_str("the plugin version is not loaded"),
            InvokeError::NotExported(i) => {
                write!(f, "the plugin does not export {}", i.export_name())
            }
            InvokeError::BadInput(e) => write!(f, "invalid input: {e}"),
            InvokeError::NoInstanceSlot => {
                f.write_str("every plugin instance slot of the host is in use; retry later")
            }
        }
    }
}

/// No runtime: every upload is refused and nothing is loaded.
pub struct Disabled;

impl PluginRuntime for Disabled {
    fn compatibility_hash(&self) -> String {
        "disabled".into()
    }
    fn prepare(&self, _bytes: &[u8], _max_bytes: u64) -> Result<Prepared, Refusal> {
        Err(Refusal::Invalid(
            "plugins are disabled in this process".into(),
        ))
    }
    fn load_artifact(&self, _sha256: &str, _artifact: &[u8]) -> Result<LoadSource, String> {
        Err("plugins are disabled in this process".into())
    }
    fn loaded_from(&self, _sha256: &str) -> Option<LoadSource> {
        None
    }
    fn invoke(&self, _sha256: &str, _call: Call) -> Result<Report, InvokeError> {
        Err(InvokeError::NotLoaded)
    }
    fn unload(&self, _sha256: &str) {}
    fn stats(&self) -> RuntimeStats {
        RuntimeStats {
            compilations: 0,
            deserializations: 0,
            loaded_versions: 0,
        }
    }
}
