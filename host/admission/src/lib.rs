//! Admission: how the bounded resources of the process (operation threads, plugin calls,
//! compiles) are divided between tenants. Each is keyed by tenant (a `FairGate`, or the
//! `OperationPool` for operation threads): a tenant holds at most its share, waiters are served
//! round-robin across tenants, and a caller that cannot get a slot within its wait gets `Busy`
//! (the HTTP layer answers 503 with `Retry-After`), never a failure of its plugin.
//!
//! - operation threads: every domain operation of a request, a fair pool whose threads take
//!   the next operation themselves;
//! - plugin calls: every call of a plugin (requests, dry runs, hook deliveries);
//! - compiles: every compilation of an uploaded component, on threads of their own
//!   (`Admission::run_compile`).
//!
//! This crate may depend on std, libc (thread priorities), rayon (the compile workers), tokio
//! (the operation pool's one-shot answer and its wait) and tracing; never on wasmtime, redb,
//! axum or an SQL driver, and never on another Portico crate, so that the rules and the binary
//! can both use it.

mod compile;
mod gate;
mod pool;

use std::sync::Arc;
use std::time::Duration;

pub use compile::{lower_compile_thread_priority, start_compile_workers, COMPILE_NICENESS};
pub use gate::{Busy, FairGate, GateUse, Permit};
pub use pool::{Claim, OperationPool};

/// Longest a request waits for an operation thread before it is answered 503 `server_busy`
/// (default of `portico serve --operation-queue-wait-ms`).
/// Long enough to ride out a burst (the threads turn over in milliseconds), short enough that
/// a client sees back-pressure instead of a hung request.
pub const OPERATION_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Threads per core that run request operations (database work, plugin calls, password
/// hashes) by default. Operations mostly use the CPU and no longer wait for the previous batch's
/// fsync to take their write turn (group commit), so a few threads beyond the cores cover the
/// short waits (another writer's turn, a password hash) and more only add switching: 2 per core
/// beat 3 in 9 of 10 interleaved A/B pairs (docs/performance.md). Many more only thrash:
/// with tokio's default of up to 512 threads, 64 concurrent validated updates kept ~64 threads alive on 2 cores, each parking and waking per request with a cold
/// cache (docs/performance.md, "Operation threads"). The price of a bound is queueing: when every
/// thread runs a long operation (a plugin call up to its deadline, a password hash), the next
/// operations wait for one to finish, in arrival order.
pub const OPERATION_THREADS_PER_CORE: usize = 2;

/// Most operation threads an operator may configure (tokio's own default ceiling).
pub const MAX_OPERATION_THREADS: usize = 512;

/// Threads per core that run request operations by default when the store's reads wait for
/// the network (`portico serve --database`). A thread waiting on a database round trip uses
/// almost no CPU, so at `OPERATION_THREADS_PER_CORE` every thread waits on the database while
/// the cores idle and requests queue.
pub const NETWORK_STORE_OPERATION_THREADS_PER_CORE: usize = 8;

/// `OPERATION_THREADS_PER_CORE` times the cores this process may use.
pub fn default_operation_threads() -> usize {
    operation_threads_per_core(OPERATION_THREADS_PER_CORE)
}

/// `per_core` times the cores this process may use, at most `MAX_OPERATION_THREADS`.
pub fn operation_threads_per_core(per_core: usize) -> usize {
    (cores() * per_core).min(MAX_OPERATION_THREADS)
}

/// Longest a call waits for a plugin slot before the request is answered 503
/// `plugin_capacity` (the binding's failure policy does not apply: the plugin never ran;
/// default of `portico serve --plugin-queue-wait-ms`).
pub const PLUGIN_QUEUE_WAIT: Duration = Duration::from_secs(10);

/// Longest an upload waits for a compile slot before it is answered 503 `compile_capacity`.
pub const COMPILE_QUEUE_WAIT: Duration = Duration::from_secs(60);

/// Concurrent plugin calls per core, all tenants together: the instance slots in use never
/// exceed this (far below the pool's `POOL_INSTANCES`), and calls beyond it wait their turn.
pub const PLUGIN_CALLS_PER_CORE: usize = 2;

/// The key of work that belongs to no tenant (operator routes, health).
pub const HOST_KEY: &str = "";

/// The operation threads one tenant may hold at once: three quarters of them (at least one),
/// so a tenant's slow operations never take the last quarter that other tenants' requests
/// run on, while one busy tenant alone still uses nearly the whole pool.
pub fn tenant_operation_share(threads: usize) -> usize {
    (threads * 3 / 4).max(1)
}

/// Concurrent plugin calls one tenant may run: half the cores (at least one), so plugin work
/// of one tenant leaves the other half of the CPU to everything else.
pub fn tenant_plugin_share(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Concurrent compilations, all tenants together: half the cores (at least one). One tenant
/// compiles one component at a time.
pub fn compile_slots(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The gates of one process and how long each lets a caller wait.
#[derive(Clone)]
pub struct Admission {
    /// The operation threads, each tenant within its share.
    pub operations: OperationPool,
    /// The plugin call slots, each tenant within its share.
    pub plugin_calls: Arc<FairGate>,
    /// The compile slots, one per tenant (taken by `Admission::run_compile`).
    pub compiles: Arc<FairGate>,
    /// Longest an operation waits for a thread.
    pub operation_queue_wait: Duration,
    /// Longest a call waits for a plugin slot.
    pub plugin_queue_wait: Duration,
    /// Runs on the compile thread after each compile (see `AdmissionConfig::after_compile`).
    pub after_compile: fn(),
}

/// How a process divides its resources (the defaults come from the core count).
#[derive(Debug, Clone, Copy)]
pub struct AdmissionConfig {
    /// Operation threads, all tenants together.
    pub operation_threads: usize,
    /// Operation threads one tenant may hold at once.
    pub tenant_operation_threads: usize,
    /// Concurrent plugin calls, all tenants together.
    pub plugin_calls: usize,
    /// Concurrent plugin calls of one tenant.
    pub tenant_plugin_calls: usize,
    /// Concurrent compilations, all tenants together (one per tenant).
    pub compiles: usize,
    /// Longest an operation waits for a thread.
    pub operation_queue_wait: Duration,
    /// Longest a call waits for a plugin slot.
    pub plugin_queue_wait: Duration,
    /// Runs on the compile thread once its job is done: where the binary gives the memory a
    /// compile freed (tens of MB of compiler data) back to the OS, which only the binary can
    /// do (it chose the global allocator). `for_threads` sets `no_hook`.
    pub after_compile: fn(),
}

/// A hook that does nothing (the default `AdmissionConfig::after_compile`).
pub fn no_hook() {}

impl AdmissionConfig {
    /// The defaults for `operation_threads` threads on this machine.
    pub fn for_threads(operation_threads: usize) -> AdmissionConfig {
        let cores = cores();
        AdmissionConfig {
            operation_threads,
            tenant_operation_threads: tenant_operation_share(operation_threads),
            plugin_calls: cores * PLUGIN_CALLS_PER_CORE,
            tenant_plugin_calls: tenant_plugin_share(cores),
            compiles: compile_slots(cores),
            operation_queue_wait: OPERATION_QUEUE_WAIT,
            plugin_queue_wait: PLUGIN_QUEUE_WAIT,
            after_compile: no_hook,
        }
    }
}

impl Admission {
    /// The gates `config` describes.
    pub fn new(config: AdmissionConfig) -> Admission {
        Admission {
            operations: OperationPool::new(
                "operation threads",
                config.operation_threads,
                config.tenant_operation_threads,
            ),
            plugin_calls: FairGate::new(
                "plugin calls",
                config.plugin_calls,
                config.tenant_plugin_calls,
            ),
            compiles: FairGate::new("compiles", config.compiles, 1),
            operation_queue_wait: config.operation_queue_wait,
            plugin_queue_wait: config.plugin_queue_wait,
            after_compile: config.after_compile,
        }
    }
}

impl Default for Admission {
    /// The defaults of this machine, with no hook after a compile (for tools and tests that
    /// build a `Domain` directly).
    fn default() -> Admission {
        Admission::new(AdmissionConfig::for_threads(default_operation_threads()))
    }
}
