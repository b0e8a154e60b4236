//! The generated bindings: one `generate!` per plugin world, so that a plugin
//! exports exactly the interfaces it implements (each export macro carries
//! only its own world's exports into the component). The `types` and `host`
//! interfaces are generated once, by the first world, and shared by the others.
//! Generated from the vendored `wit/` (`portico:plugin@0.2.0`, a copy of the repository's
//! `wit/0.2.0`): every plugin built with this crate is a 0.2.0 component.

/// Bindings of the `field-validator-plugin` world (also owns `types` and `host`).
pub mod validator {
    wit_bindgen::generate!({
        path: "wit",
        world: "field-validator-plugin",
        pub_export_macro: true,
        export_macro_name: "export_field_validator",
        default_bindings_module: "::portico_plugin_sdk::bindings::validator",
        additional_derives: [PartialEq],
    });
}

/// Bindings of the `signup-policy-plugin` world.
pub mod signup {
    wit_bindgen::generate!({
        path: "wit",
        world: "signup-policy-plugin",
        pub_export_macro: true,
        export_macro_name: "export_signup_policy",
        default_bindings_module: "::portico_plugin_sdk::bindings::signup",
        additional_derives: [PartialEq],
        with: {
            "portico:plugin/types@0.2.0": crate::bindings::validator::portico::plugin::types,
            "portico:plugin/host@0.2.0": crate::bindings::validator::portico::plugin::host,
        },
    });
}

/// Bindings of the `lifecycle-hooks-plugin` world.
pub mod hooks {
    wit_bindgen::generate!({
        path: "wit",
        world: "lifecycle-hooks-plugin",
        pub_export_macro: true,
        export_macro_name: "export_lifecycle_hooks",
        default_bindings_module: "::portico_plugin_sdk::bindings::hooks",
        additional_derives: [PartialEq],
        with: {
            "portico:plugin/types@0.2.0": crate::bindings::validator::portico::plugin::types,
            "portico:plugin/host@0.2.0": crate::bindings::validator::portico::plugin::host,
        },
    });
}
