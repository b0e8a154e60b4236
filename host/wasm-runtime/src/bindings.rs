//! Host-side bindings generated from `wit/` (world `portico-plugin`, which imports `host` and
//! exports every Portico interface). A component exports any non-empty subset, so the runtime
//! checks each exported interface on its own with the per-interface `GuestIndices`; it calls
//! the exports through `output`, whose answer types stop lifting at the output limit.

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "portico-plugin",
});

pub use exports::portico::plugin::{field_validator, lifecycle_hooks, signup_policy};
pub use portico::plugin::{host, types};
