//! `portico plugin new`: a project in each language for each interface, made in a directory
//! outside the checkout, built with the commands its README gives and passing its own
//! fixtures; each language's field validator then uploaded to a real server, bound, and
//! refusing a real form write with the 422 its fixtures predict (the tutorial's path).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::json;

use super::upload_bytes;
use crate::forms::{user_data_path, violations};
use crate::support::{guests, Server};

const INTERFACES: [&str; 3] = ["field-validator", "signup-policy", "lifecycle-hooks"];

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `program args` in `dir` with `portico` on the PATH (as `cargo install` puts it), the host
/// build's cargo settings cleared; asserts success and answers what it printed.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_portico")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("PATH", path)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let shown = text(&output);
    assert!(
        output.status.success(),
        "{program} {args:?} in {}: {shown}",
        dir.display()
    );
    shown
}

/// `portico plugin new NAME --lang LANG --interface INTERFACE` in `root`; answers the project.
fn new_project(root: &Path, lang: &str, interface: &str) -> PathBuf {
    let name = format!("{lang}-{interface}");
    let shown = run(
        root,
        "portico",
        &[
            "plugin",
            "new",
            &name,
            "--lang",
            lang,
            "--interface",
            interface,
        ],
    );
    assert!(shown.contains("Build and test it"), "{shown}");
    root.join(name)
}

fn assert_fixtures_pass(shown: &str) {
    assert!(shown.contains("3 fixtures: 3 passed, 0 failed"), "{shown}");
}

/// The tutorial's last steps: the component uploaded, bound to every string field, a form whose
/// field's `validators` reach the plugin, and a write the plugin refuses with a 422.
async fn refuses_a_real_form_write(component: &Path) {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let bytes = std::fs::read(component).unwrap();
    let (status, body) = upload_bytes(&t, "nicknames", bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let binding = json!({"plugin": "nicknames", "interface": "field-validator", "target": "type:string",
                         "settings": {"maxLength": 64}, "failurePolicy": "fail-closed"});
    let (status, body) = t.post("/plugin-bindings", binding).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let form = json!({"identifier": "signup", "fields": [
        {"marker": "nickname", "type": "string", "validators": {"maxLength": 5}}]});
    let (status, body) = t.post("/forms", form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let path = user_data_path(&t, "ann@example.com", "signup").await;
    let refused = t
        .put(
            &path,
            json!({"formData": [{"marker": "nickname", "value": "annabel"}]}),
        )
        .await;
    assert_eq!(
        refused.1["error"]["details"]["violations"][0]["message"],
        "must be at most 5 characters, not 7"
    );
    assert_eq!(
        violations(refused),
        vec![("nickname".to_string(), "too_long".to_string())]
    );
    let (status, body) = t
        .put(
            &path,
            json!({"formData": [{"marker": "nickname", "value": "ann"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_new_rust_plugin_builds_and_passes_its_fixtures_for_each_interface() {
    guests::dir(); // adds the wasm32-wasip2 target when it is missing
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("cargo-target");
    let mut validator = PathBuf::new();
    for interface in INTERFACES {
        let project = new_project(root.path(), "rust", interface);
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&project)
            .args(["build", "--release", "--quiet"])
            .env("CARGO_TARGET_DIR", &target) // one build of the dependencies for the three
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .unwrap();
        assert!(
            status.success(),
            "cargo build of the new {interface} project"
        );
        let wasm = target.join(format!(
            "wasm32-wasip2/release/rust_{}.wasm",
            interface.replace('-', "_")
        ));
        assert_fixtures_pass(&run(
            &project,
            "portico",
            &["plugin", "test", wasm.to_str().unwrap(), "fixtures"],
        ));
        if interface == "field-validator" {
            validator = wasm;
        }
    }
    refuses_a_real_form_write(&validator).await;
}

#[tokio::test]
async fn a_new_javascript_plugin_builds_and_passes_its_fixtures_for_each_interface() {
    let root = tempfile::tempdir().unwrap();
    for interface in INTERFACES {
        let project = new_project(root.path(), "js", interface);
        run(&project, "npm", &["install", "--no-audit", "--no-fund"]);
        run(&project, "npm", &["run", "build"]);
        assert_fixtures_pass(&run(&project, "npm", &["test"]));
    }
    refuses_a_real_form_write(
        &root
            .path()
            .join("js-field-validator/js_field_validator.wasm"),
    )
    .await;
}

#[tokio::test]
async fn a_new_python_plugin_builds_and_passes_its_fixtures_for_each_interface() {
    // The virtual environment with componentize-py that plugins/build-js-python makes, in
    // place of the one the README has the author create (the same requirements file).
    let venv = guests::js_python_build()
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    let venv = venv.join("../../.venv").canonicalize().unwrap();
    let root = tempfile::tempdir().unwrap();
    for interface in INTERFACES {
        let project = new_project(root.path(), "python", interface);
        std::os::unix::fs::symlink(&venv, project.join(".venv")).unwrap();
        let wasm = format!("python_{}.wasm", interface.replace('-', "_"));
        run(
            &project,
            ".venv/bin/python",
            &["vendor/portico_build.py", ".", "-o", &wasm],
        );
        assert_fixtures_pass(&run(
            &project,
            "portico",
            &["plugin", "test", &wasm, "fixtures"],
        ));
    }
    refuses_a_real_form_write(
        &root
            .path()
            .join("python-field-validator/python_field_validator.wasm"),
    )
    .await;
}

#[test]
fn a_bad_name_or_a_directory_in_use_is_refused_with_exit_code_2() {
    let root = tempfile::tempdir().unwrap();
    let portico = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_portico"))
            .current_dir(root.path())
            .args(["plugin", "new"])
            .args(args)
            .output()
            .unwrap()
    };
    let bad = portico(&[
        "My_Plugin",
        "--lang",
        "rust",
        "--interface",
        "field-validator",
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        text(&bad).contains("invalid plugin name \"My_Plugin\""),
        "{}",
        text(&bad)
    );
    let unknown = portico(&["x", "--lang", "cobol", "--interface", "field-validator"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    std::fs::create_dir(root.path().join("taken")).unwrap();
    std::fs::write(root.path().join("taken/notes.txt"), "mine").unwrap();
    let taken = portico(&["taken", "--lang", "js", "--interface", "signup-policy"]);
    assert_eq!(taken.status.code(), Some(2), "{}", text(&taken));
    assert!(
        text(&taken).contains("taken already exists and is not empty"),
        "{}",
        text(&taken)
    );
    assert_eq!(
        std::fs::read_to_string(root.path().join("taken/notes.txt")).unwrap(),
        "mine"
    );
}

/// `portico plugin new ... | head -0`: the reader is gone before the command writes, and the
/// command ends as Unix tools do (SIGPIPE), not with a panic and a backtrace.
#[test]
fn a_command_whose_output_is_cut_short_ends_without_a_panic() {
    use std::os::unix::process::ExitStatusExt;
    let root = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .current_dir(root.path())
        .args([
            "plugin",
            "new",
            "cut",
            "--lang",
            "js",
            "--interface",
            "field-validator",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        output.status.success() || output.status.signal() == Some(libc::SIGPIPE),
        "{:?}: {stderr}",
        output.status
    );
}
