//! The files a new plugin project is made of, compiled into the binary: the templates
//! (`host/portico/templates/plugin-new/`) and, until the SDKs are published, the SDKs
//! themselves (`plugins/sdk`, `plugins/fields`, `plugins/sdk-js`, `plugins/sdk-python`).

/// One file: its path under the directory it is copied into, and its text.
pub struct Embedded {
    /// The path, `/`-separated, relative to the destination.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// The files of `$source` (under the repository's root) to copy into `$dest` (in the project).
macro_rules! files {
    ($source:literal => $dest:literal: $($file:literal),* $(,)?) => {
        &[$(Embedded {
            path: concat!($dest, $file),
            text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../", $source, $file)),
        }),*]
    };
}

/// A template by its path under `templates/plugin-new/`.
macro_rules! template {
    ($file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/plugin-new/",
            $file
        ))
    };
}
pub(crate) use template;

/// The Rust SDK (`portico-plugin-sdk`) as `vendor/sdk`.
pub const RUST_SDK: &[Embedded] = files!("plugins/sdk/" => "vendor/sdk/":
    "Cargo.toml", "README.md",
    "src/arena.rs", "src/bindings.rs", "src/convert.rs", "src/field.rs", "src/hooks.rs",
    "src/lib.rs", "src/log.rs", "src/settings.rs", "src/signup.rs",
    "wit/field-validator.wit", "wit/host.wit", "wit/lifecycle-hooks.wit", "wit/signup-policy.wit",
    "wit/types.wit", "wit/worlds.wit",
);

/// The field model the Rust SDK depends on (`portico-fields`) as `vendor/fields`.
pub const RUST_FIELDS: &[Embedded] = files!("plugins/fields/" => "vendor/fields/":
    "Cargo.toml", "src/json.rs", "src/lib.rs", "src/types.rs", "src/value.rs",
);

/// The JavaScript SDK (`@portico/plugin-sdk`) as `vendor/portico-plugin-sdk`.
pub const JS_SDK: &[Embedded] = files!("plugins/sdk-js/" => "vendor/portico-plugin-sdk/":
    "package.json", "README.md", "bin/build.js",
    "src/answers.js", "src/fields.js", "src/host.d.ts", "src/host.js", "src/index.d.ts",
    "src/index.js", "src/settings.js",
    "wit/field-validator.wit", "wit/host.wit", "wit/lifecycle-hooks.wit", "wit/signup-policy.wit",
    "wit/types.wit", "wit/worlds.wit",
);

/// The Python SDK (`portico_plugin` and its build script) as `vendor`.
pub const PYTHON_SDK: &[Embedded] = files!("plugins/sdk-python/" => "vendor/":
    "README.md", "pyproject.toml", "portico_build.py",
    "portico_plugin/__init__.py", "portico_plugin/fields.py", "portico_plugin/hooks.py",
    "portico_plugin/host.py", "portico_plugin/settings.py", "portico_plugin/signup.py",
    "portico_plugin/wit/field-validator.wit", "portico_plugin/wit/host.wit",
    "portico_plugin/wit/lifecycle-hooks.wit", "portico_plugin/wit/signup-policy.wit",
    "portico_plugin/wit/types.wit", "portico_plugin/wit/worlds.wit",
);
