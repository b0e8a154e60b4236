//! The bare wasmtime set-up of a field validator both benches measure against: an engine on a
//! given configuration, the plugin linker, the pre-linked component and its export indices.
//! Each bench adds the call it measures (`impl Bare` in the bench).

use portico_wasm_runtime::bindings::{field_validator, PorticoPlugin};
use portico_wasm_runtime::state::PluginState;
use wasmtime::component::{Component, HasSelf, InstancePre, Linker};
use wasmtime::{Config, Engine};

/// A validator pre-linked on its own engine.
pub struct Bare {
    pub engine: Engine,
    pub pre: InstancePre<PluginState>,
    pub indices: field_validator::GuestIndices,
}

impl Bare {
    /// The validator `bytes` compiled and pre-linked on an engine of `config`. With
    /// `PORTICO_BENCH_PERFMAP=1`, `perf` names the guest's functions from /tmp/perf-PID.map.
    pub fn new(config: &Config, bytes: &[u8]) -> Bare {
        let mut config = config.clone();
        if std::env::var("PORTICO_BENCH_PERFMAP").is_ok_and(|v| v == "1") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).unwrap();
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
        PorticoPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).unwrap();
        let pre = linker
            .instantiate_pre(&Component::new(&engine, bytes).unwrap())
            .unwrap();
        let indices = field_validator::GuestIndices::new(&pre).unwrap();
        Bare {
            engine,
            pre,
            indices,
        }
    }
}
