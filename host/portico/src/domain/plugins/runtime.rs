//! The trait through which the domain uses the plugin runtime. The domain owns it, so its
//! rules (registry, bindings, failure policy, invocation log) are testable without wasm; the
//! wasmtime runtime implements it below, and `Disabled` stands in where no runtime is set.

use crate::plugins::{
    Call, InvokeError, LoadSource, Prepared, Refusal, Report, Runtime, RuntimeStats,
};

/// What the domain needs from a plugin runtime.
pub trait PluginRuntime: Send + Sync {
    /// The key, besides the sha256, under which compiled artifacts are stored.
    fn compatibility_hash(&self) -> String;
    /// Checks uploaded bytes (size, component, imports, exports) and compiles them once.
    fn prepare(&self, bytes: &[u8], max_bytes: u64) -> Result<Prepared, Refusal>;
    /// Makes a stored artifact runnable without compiling.
    fn load_artifact(&self, sha256: &str, artifact: &[u8]) -> Result<LoadSource, String>;
    /// How a version is loaded in this process, if it is.
    fn loaded_from(&self, sha256: &str) -> Option<LoadSource>;
    /// Runs one call on a fresh instance.
    fn invoke(&self, sha256: &str, call: &Call) -> Result<Report, InvokeError>;
    /// Forgets a loaded version.
    fn unload(&self, sha256: &str);
    /// Compilations and deserializations since start.
    fn stats(&self) -> RuntimeStats;
}

impl PluginRuntime for Runtime {
    fn compatibility_hash(&self) -> String {
        Runtime::compatibility_hash(self).to_string()
    }
    fn prepare(&self, bytes: &[u8], max_bytes: u64) -> Result<Prepared, Refusal> {
        Runtime::prepare(self, bytes, max_bytes)
    }
    fn load_artifact(&self, sha256: &str, artifact: &[u8]) -> Result<LoadSource, String> {
        Runtime::load_artifact(self, sha256, artifact)
    }
    fn loaded_from(&self, sha256: &str) -> Option<LoadSource> {
        Runtime::loaded_from(self, sha256)
    }
    fn invoke(&self, sha256: &str, call: &Call) -> Result<Report, InvokeError> {
        Runtime::invoke(self, sha256, call)
    }
    fn unload(&self, sha256: &str) {
        Runtime::unload(self, sha256)
    }
    fn stats(&self) -> RuntimeStats {
        Runtime::stats(self)
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
    fn invoke(&self, _sha256: &str, _call: &Call) -> Result<Report, InvokeError> {
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
