//! Plugins as the domain sees them: the registry of uploaded components and their versions,
//! bindings, limits, dry runs and binding runs, the invocation log. The wasm runtime is reached
//! only through the core's `PluginRuntime` port.

mod artifacts;
mod bindings;
mod call_metrics;
mod counters;
mod field_validation;
pub mod invocations;
mod limits;
mod loading;
mod lookups;
mod registry;
pub(crate) mod residency;

pub use crate::plugins::{Disabled, PluginRuntime};
pub(crate) use artifacts::release_tenant_components;
pub use artifacts::{AdmissionView, PluginRuntimeView};
pub use bindings::{
    Binding, BindingPatch, FailurePolicy, NewBinding, ANY_TARGET, MAX_BINDING_SETTINGS_BYTES,
};
pub use counters::{load_counters, Counters};
pub use field_validation::PluginValidators;
pub use invocations::{
    BindingRun, DryRun, InvocationRecord, RunReport, DEFAULT_INVOCATIONS_KEPT_PER_PLUGIN,
    MAX_INVOCATIONS_KEPT_PER_PLUGIN,
};
pub use limits::{OperatorLimitsView, PluginLimitsView};
pub use lookups::TenantLookups;
pub use registry::{
    PluginRecord, PluginView, UploadedVersion, VersionRecord, VersionView, MAX_PLUGIN_NAME_LEN,
};
pub use residency::{Residency, DEFAULT_RESIDENT_PLUGIN_VERSIONS, PRELOAD_PLUGIN_VERSIONS};
