//! `portico plugin test`: the examples' fixture files run against their built components, as a
//! plugin author runs them from the plugin's own directory; a fixture that does not match fails
//! the command (exit 1) naming what differs, and one that cannot be read stops it (exit 2).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::guests;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins/examples")
        .join(name)
}

/// `portico plugin test COMPONENT ARGS...` run in `dir`.
fn plugin_test(dir: &Path, component: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .current_dir(dir)
        .args(["plugin", "test"])
        .arg(guests::path(component))
        .args(args)
        .output()
        .expect("run portico plugin test")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn each_example_passes_its_fixtures_from_its_own_directory() {
    for (name, component, count) in [
        ("field-validator", "example_field_validator", 4),
        ("signup-policy", "example_signup_policy", 2),
        ("lifecycle-hooks", "example_lifecycle_hooks", 6),
    ] {
        let output = plugin_test(&example(name), component, &[]);
        let shown = text(&output);
        assert_eq!(output.status.code(), Some(0), "{name}: {shown}");
        assert!(
            shown.contains(&format!("{count} fixtures: {count} passed, 0 failed")),
            "{name}: {shown}"
        );
    }
}

/// The JavaScript and Python ports behave as the Rust examples: each passes the Rust example's
/// own fixtures (results, codes, effects, the out-of-fuel case).
#[test]
fn the_javascript_and_python_ports_pass_the_rust_examples_fixtures() {
    for (name, count) in [
        ("field-validator", 4),
        ("signup-policy", 2),
        ("lifecycle-hooks", 6),
    ] {
        for language in ["js", "py"] {
            let component = format!("{}_{language}", name.replace('-', "_"));
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
                .current_dir(example(name))
                .args(["plugin", "test"])
                .arg(guests::js_python(&component))
                .output()
                .expect("run portico plugin test");
            let shown = text(&output);
            assert_eq!(output.status.code(), Some(0), "{component}: {shown}");
            assert!(
                shown.contains(&format!("{count} fixtures: {count} passed, 0 failed")),
                "{component}: {shown}"
            );
        }
    }
}

#[test]
fn a_fixture_that_does_not_match_fails_naming_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let sample = example("field-validator").join("sample-input.json");
    std::fs::write(
        dir.path().join("wrong.json"),
        serde_json::json!({
            "interface": "field-validator",
            "inputFile": sample,
            "expect": {"outcome": "denied", "result": {"violations": [{"marker": "age", "code": "too_short"}]}}
        })
        .to_string(),
    )
    .unwrap();
    let output = plugin_test(dir.path(), "example_field_validator", &["wrong.json"]);
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("FAIL wrong"), "{shown}");
    assert!(
        shown.contains("result.violations: expected 1 items, got 8"),
        "{shown}"
    );
    assert!(shown.contains("1 fixtures: 0 passed, 1 failed"), "{shown}");
}

#[test]
fn limits_in_a_fixture_work_within_the_maximum_and_are_refused_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = |fuel: u64| {
        serde_json::json!({
            "interface": "field-validator",
            "input": {"fields": [{"marker": "age", "type": "integer", "value": 30, "settings": {"max": 40}}]},
            "limits": {"fuel": fuel},
            "expect": {"outcome": "ok"}
        })
        .to_string()
    };
    // The operator's default maximum: 1 G instructions.
    std::fs::write(dir.path().join("inside.json"), fixture(1_000_000_000)).unwrap();
    std::fs::write(dir.path().join("past.json"), fixture(1_000_000_001)).unwrap();
    let inside = plugin_test(dir.path(), "example_field_validator", &["inside.json"]);
    assert_eq!(inside.status.code(), Some(0), "{}", text(&inside));
    let past = plugin_test(dir.path(), "example_field_validator", &["past.json"]);
    assert_eq!(past.status.code(), Some(2), "{}", text(&past));
    assert!(
        text(&past).contains("limits.fuel: must be 1 to 1000000000"),
        "{}",
        text(&past)
    );
}

#[test]
fn unreadable_fixtures_stop_the_run_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "{\"interface\": ".to_string(), "is not JSON"),
        (
            "unknown-key.json",
            r#"{"interface": "field-validator", "input": {}, "expect": {"outcome": "ok"}, "expected": 1}"#.to_string(),
            "unknown field `expected`",
        ),
        (
            "no-input.json",
            r#"{"interface": "field-validator", "expect": {"outcome": "ok"}}"#.to_string(),
            "give either \"input\" or \"inputFile\"",
        ),
        (
            "bad-interface.json",
            r#"{"interface": "validator", "input": {}, "expect": {"outcome": "ok"}}"#.to_string(),
            "unknown interface 'validator'",
        ),
    ];
    for (file, body, message) in cases {
        std::fs::write(dir.path().join(file), body).unwrap();
        let output = plugin_test(dir.path(), "example_field_validator", &[file]);
        let shown = text(&output);
        assert_eq!(output.status.code(), Some(2), "{file}: {shown}");
        assert!(shown.contains(file), "{file}: {shown}");
        assert!(shown.contains(message), "{file}: {shown}");
    }
    let empty = tempfile::tempdir().unwrap();
    let output = plugin_test(empty.path(), "example_field_validator", &["."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("no fixtures found"),
        "{}",
        text(&output)
    );
}
