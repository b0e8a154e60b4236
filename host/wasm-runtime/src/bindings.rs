//! Host-side bindings generated from both versions of the WIT package (`wit/0.1.0`,
//! `wit/0.2.0`; world `portico-plugin`, which imports `host` and exports every Portico
//! interface). A component exports any non-empty subset, each interface at one version, so the
//! runtime checks each exported interface on its own with that version's `GuestIndices`.
//!
//! The calls themselves use the newest version's types for both versions: wasmtime checks
//! component values by their structure (record fields, cases), not by their package, and
//! 0.2.0's types are 0.1.0's. The answers are lifted through `output`, whose answer types stop
//! lifting at the output limit.

/// `portico:plugin@0.1.0`: its `host` import and the shapes of its exports.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.1.0",
        world: "portico-plugin",
    });
}

/// `portico:plugin@0.2.0`: its `host` import and the shapes of its exports; the types every
/// call uses.
pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../../wit/0.2.0",
        world: "portico-plugin",
    });
}

pub use v0_2::exports::portico::plugin::{field_validator, lifecycle_hooks, signup_policy};
pub use v0_2::portico::plugin::{host, types};
pub use v0_2::PorticoPlugin;
