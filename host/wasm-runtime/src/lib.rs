//! The plugin runtime: one wasmtime `Engine`, an `InstancePre` per plugin version (cached in
//! memory by the component's sha256), and a fresh `Store` for every call, under the core's
//! `Limits`. It implements the core's `PluginRuntime` port in the core's types and converts them
//! to and from the WIT values (`field_values`, `answers`, `convert`). It knows nothing of
//! tenants or storage: the rules hand it bytes, artifacts, inputs, limits and a `HostLookups`
//! scoped to the calling tenant.
//!
//! Depends on `portico-core` and wasmtime; nothing depends on it but the `portico` binary.

pub mod answers;
#[doc(hidden)]
pub mod bindings;
mod check;
pub mod convert;
mod engine;
pub mod field_values;
pub mod fixtures;
#[cfg(test)]
mod hook_version_tests;
mod invoke;
mod output;
#[cfg(test)]
mod output_tests;
mod port;
pub mod runner;
#[doc(hidden)]
pub mod state;
#[cfg(test)]
mod version_tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, ComponentExportIndex, HasSelf, InstancePre, Linker};
use wasmtime::Engine;

/// The upload check without compiling (imports, exports, signatures), public for the fuzz
/// targets; `Runtime::prepare` runs it before every compile.
pub use check::check_component;
pub use engine::{
    engine_config, pooling_config, EPOCH_TICK, MAX_COMPONENT_INSTANCE_BYTES,
    MAX_CORE_INSTANCES_PER_COMPONENT, MAX_MEMORIES_PER_COMPONENT, MAX_TABLES_PER_COMPONENT,
    POOL_INSTANCES,
};
pub use portico_core::plugins::{
    limits, Call, CallInput, HostLookups, Interface, InvokeError, LimitOverrides, Limits,
    LoadSource, NoLookups, Outcome, PluginRuntime, Prepared, Refusal, Report, RuntimeStats,
    UserInfo, DECIDE, DECIDE_SELF_SIGNUP, HOOKS, HOOKS_SINCE_0_2_0, WIT_PACKAGE, WIT_VERSION,
    WIT_VERSIONS,
};

use bindings::{field_validator, lifecycle_hooks, signup_policy, PorticoPlugin};
use portico_core::plugins::{hook_exists_at, human_bytes};
use state::PluginState;

/// Import name prefixes a component may use: what the empty WASI context and the `host`
/// interface (at every version of `WIT_VERSIONS`) provide. Everything else (sockets, filesystem, clocks, http...) is refused.
pub const PROVIDED_IMPORTS: [&str; 7] = [
    "wasi:io/",
    "wasi:cli/",
    "wasi:random/",
    "portico:plugin/host@0.1.0",
    "portico:plugin/types@0.1.0",
    "portico:plugin/host@0.2.0",
    "portico:plugin/types@0.2.0",
];

/// A runnable version: the pre-linked instance and the indices of its exports.
struct Loaded {
    pre: InstancePre<PluginState>,
    component: Component,
    source: LoadSource,
    exports: Vec<Interface>,
    functions: Functions,
}

/// The functions of each exported interface, called with typed functions that lift the answer
/// within the output limit (`output`).
struct Functions {
    validate: Option<ComponentExportIndex>,
    decide: Option<ComponentExportIndex>,
    /// `signup-policy` exported at 0.2.0 or later; none for a 0.1.0 policy, which does not take
    /// part in self sign-ups.
    decide_self_signup: Option<ComponentExportIndex>,
    /// In the order of `HOOKS`; `None` for a hook the exported version lacks (the hooks
    /// added in 0.2.0, `HOOKS_SINCE_0_2_0`, of a 0.1.0 component, which does not take part).
    hooks: Option<Vec<Option<ComponentExportIndex>>>,
}

/// An exported Portico interface and the package version it is exported at.
type Export = (Interface, &'static str);

/// Checks the function types of an exported interface with the generated bindings of its
/// version.
fn check_shape(
    pre: &InstancePre<PluginState>,
    (interface, version): Export,
) -> Result<(), Refusal> {
    use bindings::v0_1::exports::portico::plugin as old;
    let bad_shape = |e: wasmtime::Error| Refusal::Invalid(format!("{e:#}"));
    let checked = match (interface, version) {
        (Interface::FieldValidator, "0.1.0") => {
            old::field_validator::GuestIndices::new(pre).map(drop)
        }
        (Interface::SignupPolicy, "0.1.0") => old::signup_policy::GuestIndices::new(pre).map(drop),
        (Interface::LifecycleHooks, "0.1.0") => {
            old::lifecycle_hooks::GuestIndices::new(pre).map(drop)
        }
        (Interface::FieldValidator, _) => field_validator::GuestIndices::new(pre).map(drop),
        (Interface::SignupPolicy, _) => signup_policy::GuestIndices::new(pre).map(drop),
        (Interface::LifecycleHooks, _) => lifecycle_hooks::GuestIndices::new(pre).map(drop),
    };
    checked.map_err(bad_shape)
}

impl Functions {
    /// Checks the function types of each exported interface and finds its functions.
    fn find(pre: &InstancePre<PluginState>, exports: &[Export]) -> Result<Functions, Refusal> {
        for export in exports {
            check_shape(pre, *export)?;
        }
        let component = pre.component();
        let at = |i: Interface| exports.iter().find(|(e, _)| *e == i).map(|(_, v)| *v);
        let function = |i: Interface, name: &str| {
            at(i)
                .map(|version| function_index(component, &i.export_name_at(version), name))
                .transpose()
        };
        let self_signup = at(Interface::SignupPolicy).filter(|v| *v != WIT_VERSIONS[0]);
        Ok(Functions {
            validate: function(Interface::FieldValidator, "validate")?,
            decide: function(Interface::SignupPolicy, DECIDE)?,
            decide_self_signup: self_signup
                .map(|v| {
                    let name = Interface::SignupPolicy.export_name_at(v);
                    function_index(component, &name, DECIDE_SELF_SIGNUP)
                })
                .transpose()?,
            hooks: at(Interface::LifecycleHooks)
                .map(|version| {
                    let name = Interface::LifecycleHooks.export_name_at(version);
                    HOOKS
                        .iter()
                        .map(|hook| {
                            hook_exists_at(hook, version)
                                .then(|| function_index(component, &name, hook))
                                .transpose()
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
        })
    }
}

/// The export index of function `name` of the exported instance `instance_name`.
fn function_index(
    component: &Component,
    instance_name: &str,
    name: &str,
) -> Result<ComponentExportIndex, Refusal> {
    let instance = component.get_export_index(None, instance_name);
    component
        .get_export_index(instance.as_ref(), name)
        .ok_or_else(|| Refusal::Invalid(format!("{instance_name} exports no function {name}")))
}

/// The runtime. Cheap to share behind an `Arc`; every method is synchronous (call it from a
/// blocking thread: a call runs the guest on the calling thread).
pub struct Runtime {
    engine: Engine,
    linker: Linker<PluginState>,
    loaded: RwLock<HashMap<String, Arc<Loaded>>>,
    compatibility_hash: String,
    compilations: AtomicU64,
    deserializations: AtomicU64,
}

/// The hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `bytes` start like a component (`\0asm`, version 0x0d, layer 1) or a core module.
fn wasm_kind(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    match bytes[6..8] {
        [1, 0] => Some(true),
        [0, 0] => Some(false),
        _ => None,
    }
}

/// Why a component does not compile: past a per-component cap of the pool (named), or invalid.
fn compile_refusal(error: &wasmtime::Error) -> Refusal {
    let text = format!("{error:#}");
    let past = |what: String| Refusal::TooComplex(format!("{what}, the most one plugin may have"));
    if !text.contains("in the pooling allocator") {
        if text.contains("VMComponentContext") || text.contains("instance size") {
            return Refusal::TooComplex(format!(
                "needs more than {} of runtime metadata per instance, the most one plugin may have",
                human_bytes(MAX_COMPONENT_INSTANCE_BYTES as u64)
            ));
        }
        return Refusal::Invalid(text);
    }
    if text.contains("core module instances") {
        past(format!(
            "creates more than {MAX_CORE_INSTANCES_PER_COMPONENT} core module instances (nested components included)"
        ))
    } else if text.contains("linear memories") {
        past(format!(
            "defines more than {MAX_MEMORIES_PER_COMPONENT} linear memories (nested components included)"
        ))
    } else if text.contains("tables") {
        past(format!(
            "defines more than {MAX_TABLES_PER_COMPONENT} tables (nested components included)"
        ))
    } else {
        Refusal::Invalid(text)
    }
}

impl Runtime {
    /// Creates the engine (pooling allocator, fuel, epoch thread) and the linker (WASI p2 with
    /// an empty context, plus Portico's `host` interface).
    pub fn new() -> anyhow::Result<Runtime> {
        let engine = engine::new_engine()?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| anyhow::anyhow!("linking WASI: {e}"))?;
        bindings::v0_1::PorticoPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| anyhow::anyhow!("linking the host interface 0.1.0: {e}"))?;
        PorticoPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)
            .map_err(|e| anyhow::anyhow!("linking the host interface 0.2.0: {e}"))?;
        Ok(Runtime {
            compatibility_hash: engine::compatibility_hash(&engine),
            engine,
            linker,
            loaded: RwLock::new(HashMap::new()),
            compilations: AtomicU64::new(0),
            deserializations: AtomicU64::new(0),
        })
    }

    /// The engine's compatibility hash: the key of stored artifacts besides the sha256.
    pub fn compatibility_hash(&self) -> &str {
        &self.compatibility_hash
    }

    /// Compilations and deserializations since start, and the versions loaded now.
    pub fn stats(&self) -> RuntimeStats {
        RuntimeStats {
            compilations: self.compilations.load(Ordering::Relaxed),
            deserializations: self.deserializations.load(Ordering::Relaxed),
            loaded_versions: self.loaded.read().unwrap_or_else(|e| e.into_inner()).len(),
        }
    }

    /// How a component is loaded in this process, if it is.
    pub fn loaded_from(&self, sha256: &str) -> Option<LoadSource> {
        self.get(sha256).map(|l| l.source)
    }

    fn get(&self, sha256: &str) -> Option<Arc<Loaded>> {
        self.loaded
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(sha256)
            .cloned()
    }

    /// Checks an upload and compiles it once: a component, within `max_bytes`, importing only
    /// what Portico provides, exporting at least one Portico interface with the signatures of
    /// its WIT (all checked before compiling). A component already loaded (same sha256) is not
    /// compiled again.
    pub fn prepare(&self, bytes: &[u8], max_bytes: u64) -> Result<Prepared, Refusal> {
        if bytes.len() as u64 > max_bytes {
            return Err(Refusal::TooLarge {
                size: bytes.len() as u64,
                limit: max_bytes,
            });
        }
        match wasm_kind(bytes) {
            Some(true) => {}
            Some(false) => return Err(Refusal::NotAComponent { core_module: true }),
            None => return Err(Refusal::NotAComponent { core_module: false }),
        }
        // Imports, exports and signatures first: a refused upload never costs a compile.
        check::check_component(bytes)?;
        let sha256 = sha256_hex(bytes);
        let loaded = match self.get(&sha256) {
            Some(loaded) => loaded,
            None => {
                let component =
                    Component::new(&self.engine, bytes).map_err(|e| compile_refusal(&e))?;
                self.compilations.fetch_add(1, Ordering::Relaxed);
                self.install(&sha256, component, LoadSource::Compiled)?
            }
        };
        let artifact = loaded
            .component
            .serialize()
            .map_err(|e| Refusal::Invalid(format!("{e:#}")))?;
        Ok(Prepared {
            sha256,
            size: bytes.len() as u64,
            exports: loaded.exports.clone(),
            artifact,
        })
    }

    /// Makes a stored artifact runnable without compiling. Fails when the artifact was made by
    /// an incompatible engine or is damaged; the caller then recompiles from the component.
    pub fn load_artifact(&self, sha256: &str, artifact: &[u8]) -> Result<LoadSource, String> {
        if let Some(loaded) = self.get(sha256) {
            return Ok(loaded.source);
        }
        // SAFETY: artifacts come only from `Component::serialize` of this runtime, stored in
        // Portico's own database under the engine's compatibility hash; wasmtime also checks
        // the header and the engine configuration before using them.
        let component = unsafe { Component::deserialize(&self.engine, artifact) }
            .map_err(|e| format!("{e:#}"))?;
        self.deserializations.fetch_add(1, Ordering::Relaxed);
        self.install(sha256, component, LoadSource::Deserialized)
            .map_err(|r| r.message())?;
        Ok(LoadSource::Deserialized)
    }

    /// Checks imports and exports, pre-links, and caches the version.
    fn install(
        &self,
        sha256: &str,
        component: Component,
        source: LoadSource,
    ) -> Result<Arc<Loaded>, Refusal> {
        let ty = component.component_type();
        let mut forbidden: Vec<String> = ty
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .filter(|name| !PROVIDED_IMPORTS.iter().any(|p| name.starts_with(p)))
            .collect();
        if !forbidden.is_empty() {
            forbidden.sort();
            return Err(Refusal::ForbiddenImports(forbidden));
        }
        let export_names: Vec<String> = ty
            .exports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect();
        // Each interface at the newest version it is exported at.
        let exported: Vec<Export> = Interface::ALL
            .into_iter()
            .filter_map(|i| {
                let version = WIT_VERSIONS
                    .into_iter()
                    .rev()
                    .find(|v| export_names.contains(&i.export_name_at(v)))?;
                Some((i, version))
            })
            .collect();
        if exported.is_empty() {
            return Err(Refusal::NoExports);
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| Refusal::Invalid(format!("{e:#}")))?;
        let functions = Functions::find(&pre, &exported)?;
        let exports = exported.into_iter().map(|(i, _)| i).collect();
        let loaded = Arc::new(Loaded {
            functions,
            pre,
            component,
            source,
            exports,
        });
        self.loaded
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sha256.to_string(), loaded.clone());
        Ok(loaded)
    }

    /// Forgets a loaded version (after its last use was deleted).
    pub fn unload(&self, sha256: &str) {
        self.loaded
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(sha256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_modules_and_components() {
        assert_eq!(wasm_kind(b"\0asm\x01\0\0\0"), Some(false));
        assert_eq!(wasm_kind(b"\0asm\x0d\0\x01\0"), Some(true));
        assert_eq!(wasm_kind(b"hello world"), None);
    }

    /// Two uploads of the same bytes (two tenants) share one compiled version: the second
    /// `prepare` does not compile and answers the same artifact. After an unload (the last
    /// plugin with those bytes deleted in one process), the stored artifact loads without
    /// compiling.
    #[test]
    fn the_same_bytes_compile_once() {
        let path = format!(
            "{}/../../plugins/hostile/aliased-violations.wat",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let bytes = wat::parse_str(text.replace("{COUNT}", "1").replace("{LEN}", "1")).unwrap();
        let runtime = Runtime::new().unwrap();
        let first = runtime.prepare(&bytes, u64::MAX).unwrap();
        let second = runtime.prepare(&bytes, u64::MAX).unwrap();
        assert_eq!(runtime.stats().compilations, 1);
        assert_eq!(runtime.stats().loaded_versions, 1);
        assert_eq!(
            (&first.sha256, &first.artifact),
            (&second.sha256, &second.artifact)
        );
        runtime.unload(&first.sha256);
        let source = runtime.load_artifact(&first.sha256, &first.artifact);
        assert_eq!(source, Ok(LoadSource::Deserialized));
        let stats = runtime.stats();
        assert_eq!((stats.compilations, stats.deserializations), (1, 1));
    }
}
