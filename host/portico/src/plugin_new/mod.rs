//! `portico plugin new`: a plugin project in Rust, JavaScript or Python for one interface,
//! which builds and passes its own fixtures as it is. The SDK is copied into the project
//! (`vendor/`), so the project needs nothing from a Portico checkout.

mod embedded;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use embedded::{template, Embedded, JS_SDK, PYTHON_SDK, RUST_FIELDS, RUST_SDK};

/// The longest project name: it is a crate, an npm package and a file name.
pub const MAX_NAME_CHARS: usize = 64;

/// The language of a new plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Rust with `portico-plugin-sdk`.
    Rust,
    /// JavaScript with `@portico/plugin-sdk` (QuickJS).
    Js,
    /// Python with `portico_plugin` (componentize-py).
    Python,
}

/// The interface a new plugin exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Interface {
    /// Validates a form's fields.
    FieldValidator,
    /// Decides on signup links and self sign-ups.
    SignupPolicy,
    /// Vetoes and follows up changes to profiles and users.
    LifecycleHooks,
}

impl Interface {
    /// The WIT interface's name.
    pub fn wit_name(self) -> &'static str {
        match self {
            Interface::FieldValidator => "field-validator",
            Interface::SignupPolicy => "signup-policy",
            Interface::LifecycleHooks => "lifecycle-hooks",
        }
    }
}

/// `portico plugin new NAME --lang .. --interface ..`.
#[derive(Args)]
pub struct NewArgs {
    /// The project's name: lower-case letters, digits and `-`, starting with a letter.
    pub name: String,
    /// The plugin's language.
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// The interface the plugin exports.
    #[arg(long, value_enum)]
    pub interface: Interface,
    /// Where to create the project (default: `./NAME`); it must not exist or be empty.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Creates the project and answers its directory.
pub fn create(args: &NewArgs) -> anyhow::Result<PathBuf> {
    check_name(&args.name)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    ensure_empty(&dir)?;
    for (path, text) in project_files(args) {
        write(&dir.join(path), &text)?;
    }
    Ok(dir)
}

/// The commands that build and test the new project, from its parent directory.
pub fn next_steps(args: &NewArgs, dir: &Path) -> String {
    let wasm = wasm_name(&args.name);
    let build = match args.lang {
        Lang::Rust => format!(
            "rustup target add wasm32-wasip2\n  cargo build --release\n  \
             portico plugin test target/wasm32-wasip2/release/{wasm} fixtures"
        ),
        Lang::Js => "npm install\n  npm run build\n  npm test".to_string(),
        Lang::Python => format!(
            "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n  \
             .venv/bin/python vendor/portico_build.py . -o {wasm}\n  \
             portico plugin test {wasm} fixtures"
        ),
    };
    format!("  cd {}\n  {build}", dir.display())
}

/// A name every toolchain takes: a crate name, an npm package name and a file name.
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let starts_with_letter = name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid_chars || !starts_with_letter || name.ends_with('-') {
        bail!(
            "invalid plugin name {name:?}: use lower-case letters, digits and '-', \
             starting with a letter and not ending with '-'"
        );
    }
    if name.chars().count() > MAX_NAME_CHARS {
        bail!("plugin name {name:?} is longer than MAX_NAME_CHARS ({MAX_NAME_CHARS} characters)");
    }
    Ok(())
}

fn ensure_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => bail!("{} already exists and is not empty", dir.display()),
        Ok(false) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The component file a build makes: cargo names it after the crate, with `_` for `-`.
fn wasm_name(name: &str) -> String {
    format!("{}.wasm", name.replace('-', "_"))
}

/// Every file of the project: its path in the project and its text.
fn project_files(args: &NewArgs) -> Vec<(String, String)> {
    let fill = |text: &str| {
        text.replace("{{name}}", &args.name)
            .replace("{{interface}}", args.interface.wit_name())
            .replace("{{wasm}}", &wasm_name(&args.name))
    };
    let mut files: Vec<(String, String)> = templates(args.lang, args.interface)
        .iter()
        .map(|(path, text)| (path.to_string(), fill(text)))
        .collect();
    files.push((
        format!("fixtures/{}.json", args.interface.wit_name()),
        fixtures(args.interface).to_string(),
    ));
    let vendored = vendored(args.lang).iter().flat_map(|sdk| sdk.iter());
    files.extend(vendored.map(|f| (f.path.to_string(), f.text.to_string())));
    files
}

/// The SDK files a language's project carries.
fn vendored(lang: Lang) -> &'static [&'static [Embedded]] {
    match lang {
        Lang::Rust => &[RUST_SDK, RUST_FIELDS],
        Lang::Js => &[JS_SDK],
        Lang::Python => &[PYTHON_SDK],
    }
}

/// The project's own files (before the placeholders are filled in).
fn templates(lang: Lang, interface: Interface) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::Rust => vec![
            ("Cargo.toml", template!("rust/Cargo.toml")),
            ("src/lib.rs", rust_source(interface)),
            (".cargo/config.toml", template!("rust/cargo/config.toml")),
            ("README.md", template!("rust/README.md")),
            (".gitignore", template!("rust/gitignore")),
        ],
        Lang::Js => vec![
            ("package.json", template!("js/package.json")),
            ("plugin.js", js_source(interface)),
            ("README.md", template!("js/README.md")),
            (".gitignore", template!("js/gitignore")),
        ],
        Lang::Python => vec![
            ("app.py", python_source(interface)),
            ("requirements.txt", template!("python/requirements.txt")),
            ("README.md", template!("python/README.md")),
            (".gitignore", template!("python/gitignore")),
        ],
    }
}

fn rust_source(interface: Interface) -> &'static str {
    match interface {
        Interface::FieldValidator => template!("rust/field-validator.rs"),
        Interface::SignupPolicy => template!("rust/signup-policy.rs"),
        Interface::LifecycleHooks => template!("rust/lifecycle-hooks.rs"),
    }
}

fn js_source(interface: Interface) -> &'static str {
    match interface {
        Interface::FieldValidator => template!("js/field-validator.js"),
        Interface::SignupPolicy => template!("js/signup-policy.js"),
        Interface::LifecycleHooks => template!("js/lifecycle-hooks.js"),
    }
}

fn python_source(interface: Interface) -> &'static str {
    match interface {
        Interface::FieldValidator => template!("python/field-validator.py"),
        Interface::SignupPolicy => template!("python/signup-policy.py"),
        Interface::LifecycleHooks => template!("python/lifecycle-hooks.py"),
    }
}

/// The fixtures every language's project starts with: the templates behave alike.
fn fixtures(interface: Interface) -> &'static str {
    match interface {
        Interface::FieldValidator => template!("fixtures/field-validator.json"),
        Interface::SignupPolicy => template!("fixtures/signup-policy.json"),
        Interface::LifecycleHooks => template!("fixtures/lifecycle-hooks.json"),
    }
}
