//! The plugins' own native unit tests (the SDK's arena allocator and settings helpers, the
//! examples' rules), run through `cargo test` on the plugins' workspace so the one test
//! command of the README covers them too.

use crate::support::guests;

#[test]
fn plugin_workspace_unit_tests_pass() {
    let output = guests::plugins_cargo(&["test", "--quiet"])
        .output()
        .expect("run cargo test for the plugins' workspace");
    assert!(
        output.status.success(),
        "cargo test --manifest-path plugins/Cargo.toml failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
