//! The one `Engine` of the process: pooling allocator, fuel metering, epoch interruption with a
//! background thread that ticks the epoch.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use portico_core::plugins::limits::OPERATOR_MAX_MEMORY_BYTES;

/// How often the epoch advances: the granularity of the wall-clock deadline. 1 ms costs one
/// atomic increment per millisecond and lets a 100 ms deadline fire within about 1 ms of it.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

/// Concurrent plugin instances the pooling allocator has slots for (each request uses one).
/// Calls run on blocking threads, so this is also a bound on concurrent plugin calls; a call
/// beyond it fails cleanly ("all slots in use") rather than allocating without bound.
pub const POOL_INSTANCES: u32 = 1000;

/// Core module instances one component may create, nested components' included. A Rust or
/// JavaScript (QuickJS) component has 3 to 6 (the program, the WASI adapter, small shims); a
/// Python one from componentize-py 0.25 has 38 (CPython and its libraries are linked as shared
/// modules, each a core instance). 64 leaves room for a Python plugin's own native modules.
/// Each takes a slot of the pool's `total_core_instances` for the whole call.
pub const MAX_CORE_INSTANCES_PER_COMPONENT: u32 = 64;

/// Linear memories one component may define, nested components' included (real guests have
/// one; the WASI adapter may add one). Each takes a memory slot of the pool for the whole call;
/// their bytes together stay within the call's memory limit.
pub const MAX_MEMORIES_PER_COMPONENT: u32 = 4;

/// Tables one component may define, nested components' included (the program's function table
/// and one per shim). Their elements together stay within `MAX_TABLE_ELEMENTS`.
pub const MAX_TABLES_PER_COMPONENT: u32 = 8;

/// Bytes of runtime metadata (`VMComponentContext` and its core instances' `VMContext`s) one
/// component instance may need: 1 MiB, wasmtime's default.
pub const MAX_COMPONENT_INSTANCE_BYTES: usize = 1 << 20;

/// The engine configuration: the pooling allocator sized as above, the component model, and
/// the two metering switches. Portico always runs with both on; the benchmark builds its bare
/// baselines from this same function with them off, so the only differences it measures are
/// the limits themselves.
pub fn engine_config(fuel: bool, epoch: bool) -> Config {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .consume_fuel(fuel)
        .epoch_interruption(epoch)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config()));
    config
}

/// The pooling allocator's settings (public so the benchmark can try variants of them).
pub fn pooling_config() -> PoolingAllocationConfig {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(POOL_INSTANCES)
        .total_core_instances(POOL_INSTANCES * 4)
        .total_memories(POOL_INSTANCES)
        .total_tables(POOL_INSTANCES * 4)
        // What one component may hold, nested components counted in (wasmtime flattens them):
        // checked when a component is compiled or deserialized, so an upload past them is
        // refused before it ever runs. The bytes of its memories together are capped per call
        // by the store's `MemoryLimiter`, whatever their number.
        .max_core_instances_per_component(MAX_CORE_INSTANCES_PER_COMPONENT)
        .max_memories_per_component(MAX_MEMORIES_PER_COMPONENT)
        .max_tables_per_component(MAX_TABLES_PER_COMPONENT)
        // The runtime metadata of one component and its core instances (wasmtime's default,
        // set here so that it is a decision): with `total_component_instances` it bounds the
        // metadata memory of the whole pool.
        .max_component_instance_size(MAX_COMPONENT_INSTANCE_BYTES)
        // Every memory slot can hold the largest memory a tenant may allow; the per-call cap
        // (StoreLimits) is usually far smaller.
        .max_memory_size(OPERATOR_MAX_MEMORY_BYTES as usize)
        // Reset only dirtied pages, in place (Linux 6.7+; elsewhere wasmtime falls back to
        // resetting the kept bytes whole, then to madvise).
        .pagemap_scan(Enabled::Auto)
        .linear_memory_keep_resident(MEMORY_KEEP_RESIDENT_BYTES)
        .table_keep_resident(TABLE_KEEP_RESIDENT_BYTES)
        .max_unused_warm_slots(WARM_SLOTS);
    pool
}

/// Bytes of each linear memory slot kept resident between calls and reset with `memset`
/// instead of `madvise`. With `PAGEMAP_SCAN` only the pages the last call dirtied are reset,
/// so a fresh instance neither page-faults its memory back in nor pays the `madvise` and TLB
/// shootdown: about 40% of a bare fresh validator call (docs/performance.md). 1 MiB covers what a
/// validator dirties; pages beyond it are still decommitted. The price is RSS: at most this
/// much per warm slot, bounded by `WARM_SLOTS`.
pub const MEMORY_KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// Unused slots the pool keeps warm for the plugin version that last used them (wasmtime's
/// default is 100). A warm slot now holds up to `MEMORY_KEEP_RESIDENT_BYTES` resident, so this
/// bounds that RSS to 16 MiB beyond the slots in use; past it, the least recently used slot of
/// another version is reused (re-mapping its memory image), not a cold one.
pub const WARM_SLOTS: u32 = 16;

/// The same for tables (function tables of real guests are a few KiB).
pub const TABLE_KEEP_RESIDENT_BYTES: usize = 64 << 10;

/// Builds the engine and starts the epoch thread (it stops when the engine is dropped).
pub fn new_engine() -> anyhow::Result<Engine> {
    let engine = Engine::new(&engine_config(true, true))
        .map_err(|e| anyhow::anyhow!("creating the wasm engine: {e}"))?;
    start_epoch_thread(&engine);
    Ok(engine)
}

fn start_epoch_thread(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("portico-epoch".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => return,
            }
        })
        .expect("spawn the epoch thread");
}

/// The engine's compatibility hash as text: artifacts serialized by an engine with another
/// hash (another wasmtime version or configuration) are not deserialized.
pub fn compatibility_hash(engine: &Engine) -> String {
    // `DefaultHasher::new()` uses fixed keys, so the value is stable across runs of a build.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
