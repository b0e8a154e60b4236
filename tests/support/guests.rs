//! The guest plugins under `plugins/`, built once per test process for `wasm32-wasip2`
//! (adding the target with rustup when it is missing), so `cargo test --workspace` needs
//! nothing prepared on a fresh machine. Concurrent test processes are serialised by cargo's
//! own lock on `plugins/target`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TARGET: &str = "wasm32-wasip2";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root (host/portico/../..)")
}

fn build() -> PathBuf {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let has_target = matches!(&installed, Ok(o) if String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == TARGET));
    if !has_target {
        let status = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .expect("run rustup");
        assert!(status.success(), "rustup target add {TARGET} failed");
    }
    let status = plugins_cargo(&["build", "--release", "--target", TARGET])
        .status()
        .expect("run cargo build for the guest plugins");
    assert!(status.success(), "building the guest plugins failed");
    repo_root()
        .join("plugins/target")
        .join(TARGET)
        .join("release")
}

/// `cargo ARGS` on the plugins' own workspace (`plugins/Cargo.toml`), with the settings of
/// the host's build (target dir, rustflags) cleared so both builds keep their own caches.
pub fn plugins_cargo(args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .arg("--manifest-path")
        .arg(repo_root().join("plugins/Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    command
}

/// The directory holding the built guests (built on first use).
pub fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(build)
}

/// The path of a guest by its file stem, e.g. `example_field_validator`.
pub fn path(name: &str) -> PathBuf {
    let p = dir().join(format!("{name}.wasm"));
    assert!(p.exists(), "no guest plugin {}", p.display());
    p
}

/// The bytes of a guest by its file stem: a Rust guest, or a JavaScript or Python one
/// (`field_validator_js`, `field_validator_py`: see `js_python`).
pub fn bytes(name: &str) -> Vec<u8> {
    let path = match name.ends_with("_js") || name.ends_with("_py") {
        true => js_python(name),
        false => path(name),
    };
    std::fs::read(path).expect("read guest plugin")
}

/// The outcome of `plugins/build-js-python` (run once per test process): the JavaScript and
/// Python SDKs' and examples' unit tests, then every example built into
/// `plugins/target/js-python/` with the toolchains pinned by their lock files (installed from
/// the npm registry and PyPI when missing).
pub fn js_python_build() -> &'static Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let output = Command::new(repo_root().join("plugins/build-js-python"))
            .output()
            .map_err(|e| format!("run plugins/build-js-python: {e}"))?;
        match output.status.success() {
            true => Ok(repo_root().join("plugins/target/js-python")),
            false => Err(format!(
                "plugins/build-js-python failed:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )),
        }
    })
}

/// The path of a JavaScript or Python example by its file stem, e.g. `field_validator_js`.
pub fn js_python(name: &str) -> PathBuf {
    let dir = js_python_build().as_ref().unwrap_or_else(|e| panic!("{e}"));
    let p = dir.join(format!("{name}.wasm"));
    assert!(p.exists(), "no guest plugin {}", p.display());
    p
}

/// The core module of `plugins/hostile/core-module.wat`, compiled with the `wat` crate.
pub fn core_module() -> Vec<u8> {
    wat::parse_file(repo_root().join("plugins/hostile/core-module.wat"))
        .expect("compile core-module.wat")
}

/// A component written as WAT text in `plugins/hostile/`, its `{KEY}` placeholders replaced,
/// compiled with the `wat` crate.
pub fn wat_component(file: &str, replacements: &[(&str, String)]) -> Vec<u8> {
    let path = repo_root().join("plugins/hostile").join(file);
    let mut text = std::fs::read_to_string(&path).expect("read a WAT guest");
    for (key, value) in replacements {
        text = text.replace(&format!("{{{key}}}"), value);
    }
    wat::parse_str(&text).unwrap_or_else(|e| panic!("compile {}: {e}", path.display()))
}

/// `many-memories.wat`: a signup policy with `hogs` nested component instances, each holding a
/// memory of `pages` 64 KiB pages (none when `None`) and, with `table`, one table.
pub fn many_memories(hogs: usize, pages: Option<u32>, table: bool) -> Vec<u8> {
    wat_component(
        "many-memories.wat",
        &[
            ("HOGS", "(instance (instantiate $hog))\n".repeat(hogs)),
            (
                "MEMORY",
                pages.map_or(String::new(), |p| format!("(memory {p})")),
            ),
            (
                "TABLE",
                if table { "(table 1 funcref)" } else { "" }.to_string(),
            ),
        ],
    )
}

/// `many-memories.wat` with one nested instance whose memory declares an image of `mib` MiB
/// (below 16: a byte of data at each end): a few KB of upload that compiles to an artifact of
/// that size (wasmtime stores such images whole up to 16 MiB).
pub fn huge_image(mib: u32) -> Vec<u8> {
    let end = (mib << 20) - 1;
    wat_component(
        "many-memories.wat",
        &[
            ("HOGS", "(instance (instantiate $hog))".to_string()),
            (
                "MEMORY",
                format!(
                    "(memory {}) (data (i32.const 0) \"x\") (data (i32.const {end}) \"x\")",
                    (mib << 4) + 1
                ),
            ),
            ("TABLE", String::new()),
        ],
    )
}

/// `many-memories.wat` with one nested instance whose core module holds `functions` functions
/// of a few hundred arithmetic instructions each (their constants derived from `seed`, so each
/// seed is another component): a valid signup policy of a few MB that takes seconds to compile.
pub fn slow_to_compile(seed: u32, functions: usize) -> Vec<u8> {
    let mut code = String::new();
    for f in 0..functions as u32 {
        code.push_str("(func (param i32) (result i32) (local i32 i32)\n");
        code.push_str(&format!(
            "local.get 0 i32.const {} i32.add local.set 1\n",
            seed.wrapping_mul(7919).wrapping_add(f)
        ));
        for k in 0..60u32 {
            code.push_str(&format!(
                "local.get 1 i32.const {} i32.mul local.get 2 i32.xor local.set 2 \
                 local.get 2 i32.const {} i32.rotl local.set 1\n",
                k * 2 + 1,
                (k + f + seed) % 31 + 1
            ));
        }
        code.push_str("local.get 1)\n");
    }
    wat_component(
        "many-memories.wat",
        &[
            ("HOGS", "(instance (instantiate $hog))".to_string()),
            ("MEMORY", code),
            ("TABLE", String::new()),
        ],
    )
}

/// `aliased-violations.wat`, `aliased-claims.wat` or `aliased-effects.wat`: a guest answering
/// `count` violations, claims or effects (a `before-*` hook: one veto message), each aliasing
/// the same `len` bytes of its memory.
pub fn aliased(file: &str, count: u32, len: u32) -> Vec<u8> {
    wat_component(
        file,
        &[("COUNT", count.to_string()), ("LEN", len.to_string())],
    )
}
