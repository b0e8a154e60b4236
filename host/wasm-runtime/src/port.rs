//! The runtime as the core's plugin port.

use portico_core::plugins::{
    Call, InvokeError, LoadSource, PluginRuntime, Prepared, Refusal, Report, RuntimeStats,
};

use super::Runtime;

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
    fn invoke(&self, sha256: &str, call: Call) -> Result<Report, InvokeError> {
        Runtime::invoke(self, sha256, call)
    }
    fn unload(&self, sha256: &str) {
        Runtime::unload(self, sha256)
    }
    fn stats(&self) -> RuntimeStats {
        Runtime::stats(self)
    }
}
