//! The Rust SDK stands alone: `portico-fields` and `portico-plugin-sdk` package cleanly (their
//! WIT inside, no path outside the crate, no warning) and the packaged sources build for
//! `wasm32-wasip2`; their own unit tests pass (they live in the plugins' workspace, which
//! `cargo test --workspace` of the host does not reach).

use crate::support::guests;

#[test]
fn the_sdk_crates_package_cleanly_and_pass_their_unit_tests() {
    guests::dir(); // adds the wasm32-wasip2 target when it is missing
    let output = guests::plugins_cargo(&[
        "package",
        "-p",
        "portico-fields",
        "-p",
        "portico-plugin-sdk",
        "--allow-dirty",
        "--target",
        "wasm32-wasip2",
    ])
    .output()
    .expect("run cargo package");
    let shown = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo package: {shown}");
    assert!(!shown.contains("warning"), "cargo package warned: {shown}");
    for krate in ["portico-fields v0.2.0", "portico-plugin-sdk v0.2.0"] {
        assert!(
            shown.contains(&format!("Verifying {krate}")),
            "{krate} not verified: {shown}"
        );
    }

    let output =
        guests::plugins_cargo(&["test", "-p", "portico-fields", "-p", "portico-plugin-sdk"])
            .output()
            .expect("run cargo test");
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the SDK crates' tests: {shown}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
