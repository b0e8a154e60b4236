//! `portico plugin test`: a plugin's fixtures run against its built component, with the
//! server's engine and limits. A fixture is a JSON file (or a JSON array of fixtures in one
//! file):
//!
//! ```json
//! {
//!   "name": "an age past the maximum is refused",
//!   "interface": "field-validator",
//!   "input": {"fields": [{"marker": "age", "type": "integer", "value": 200, "settings": {"max": 150}}]},
//!   "settings": {},
//!   "limits": {"fuel": 5000000},
//!   "expect": {"outcome": "denied", "result": {"violations": [{"marker": "age", "code": "out_of_range"}]}}
//! }
//! ```
//!
//! - `input` is the call's input (shapes in the SDK's README), or `inputFile` names a file
//!   holding it, relative to the fixture's own file.
//! - `settings`: the binding's settings (default: the input's `"settings"`, else `{}`).
//! - `limits`: the tenant's limit overrides, as the API takes them (`fuel`, `deadlineMs`,
//!   `memoryBytes`, `outputBytes`, `logBytes`, ...), within the operator's default maximum.
//! - `expect.outcome`: `ok`, `denied`, `trap`, `out_of_fuel`, `deadline`, `memory` or
//!   `bad_output`. `expect.result`: matched against the answer's JSON as a pattern (an object's
//!   keys must all match, other keys are ignored; a list must have as many items, matched in
//!   order; anything else must be equal). `expect.error`: text the error must contain.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Call, CallInput, Interface, LimitOverrides, Limits, NoLookups, Runtime};

/// One fixture, as written in its file.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FixtureFile {
    name: Option<String>,
    interface: String,
    input: Option<Value>,
    input_file: Option<PathBuf>,
    settings: Option<Value>,
    #[serde(default)]
    limits: LimitOverrides,
    expect: Expectation,
}

/// What a fixture expects of the call.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectation {
    outcome: String,
    result: Option<Value>,
    error: Option<String>,
}

/// A fixture read and ready to run.
struct Fixture {
    name: String,
    interface: Interface,
    input: Value,
    settings: Value,
    limits: Limits,
    expect: Expectation,
}

/// How one fixture went.
pub struct FixtureOutcome {
    /// The fixture's name (its file's name, and its index in an array).
    pub name: String,
    /// What did not match, empty when it passed.
    pub failures: Vec<String>,
    /// The call's report as JSON (`portico plugin run`'s shape).
    pub report: Value,
}

impl FixtureOutcome {
    /// Whether the call met every expectation.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The fixture files `paths` name: each file, and the `*.json` files of each directory
/// (sorted).
pub fn fixture_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        bail!("no fixtures found (give fixture files or directories of *.json files)");
    }
    Ok(files)
}

/// Runs every fixture of `files` against the component `component`. Errors are about the
/// component or a fixture that cannot be read; a fixture that runs but does not match is a
/// failed `FixtureOutcome`.
pub fn run_fixtures(component: &Path, files: &[PathBuf]) -> anyhow::Result<Vec<FixtureOutcome>> {
    let fixtures = files
        .iter()
        .map(|f| read_fixtures(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bytes =
        std::fs::read(component).with_context(|| format!("reading {}", component.display()))?;
    let runtime = Runtime::new()?;
    let prepared = runtime
        .prepare(&bytes, Limits::default().component_bytes)
        .map_err(|refusal| anyhow::anyhow!("{}: {refusal}", component.display()))?;
    let mut outcomes = Vec::new();
    for fixture in fixtures.into_iter().flatten() {
        outcomes.push(run_one(&runtime, &prepared.sha256, fixture)?);
    }
    Ok(outcomes)
}

fn run_one(runtime: &Runtime, sha256: &str, fixture: Fixture) -> anyhow::Result<FixtureOutcome> {
    let call = Call {
        interface: fixture.interface,
        input: CallInput::Json(fixture.input),
        settings: fixture.settings.to_string(),
        limits: fixture.limits,
        lookups: Arc::new(NoLookups),
    };
    let report = runtime
        .invoke(sha256, call)
        .map_err(|e| anyhow::anyhow!("{}: {e}", fixture.name))?;
    let report = serde_json::to_value(&report)?;
    let failures = compare(&fixture.expect, &report);
    Ok(FixtureOutcome {
        name: fixture.name,
        failures,
        report,
    })
}

/// What of `expect` the report does not meet.
fn compare(expect: &Expectation, report: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    let outcome = report["outcome"].as_str().unwrap_or_default();
    if outcome != expect.outcome {
        let error = report["error"].as_str().unwrap_or_default();
        failures.push(format!(
            "outcome: expected {}, got {outcome} {error}",
            expect.outcome
        ));
    }
    if let Some(pattern) = &expect.result {
        mismatches(pattern, &report["result"], "result", &mut failures);
    }
    if let Some(text) = &expect.error {
        let error = report["error"].as_str().unwrap_or_default();
        if !error.contains(text.as_str()) {
            failures.push(format!(
                "error: expected it to contain {text:?}, got {error:?}"
            ));
        }
    }
    failures
}

/// Adds to `failures` where `actual` does not match `pattern` (see the module's description).
fn mismatches(pattern: &Value, actual: &Value, at: &str, failures: &mut Vec<String>) {
    match (pattern, actual) {
        (Value::Object(expected), Value::Object(found)) => {
            for (key, value) in expected {
                let here = format!("{at}.{key}");
                match found.get(key) {
                    Some(found) => mismatches(value, found, &here, failures),
                    None => failures.push(format!("{here}: missing (expected {value})")),
                }
            }
        }
        (Value::Array(expected), Value::Array(found)) if expected.len() == found.len() => {
            for (i, (value, found)) in expected.iter().zip(found).enumerate() {
                mismatches(value, found, &format!("{at}[{i}]"), failures);
            }
        }
        (Value::Array(expected), Value::Array(found)) => failures.push(format!(
            "{at}: expected {} items, got {}: {actual}",
            expected.len(),
            found.len()
        )),
        _ if pattern == actual => {}
        _ => failures.push(format!("{at}: expected {pattern}, got {actual}")),
    }
}

/// The fixtures of one file (one object, or an array of them).
fn read_fixtures(file: &Path) -> anyhow::Result<Vec<Fixture>> {
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let value: Value =
        serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    let items = match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (format!("{stem}[{i}]"), item))
            .collect(),
        item => vec![(stem.to_string(), item)],
    };
    items
        .into_iter()
        .map(|(default_name, item)| {
            read_fixture(file, default_name, item)
                .with_context(|| format!("fixture {}", file.display()))
        })
        .collect()
}

fn read_fixture(file: &Path, default_name: String, item: Value) -> anyhow::Result<Fixture> {
    let fixture: FixtureFile = serde_json::from_value(item)?;
    let interface = Interface::parse(&fixture.interface).with_context(|| {
        format!(
            "unknown interface '{}' (field-validator, signup-policy or lifecycle-hooks)",
            fixture.interface
        )
    })?;
    let input = match (fixture.input, &fixture.input_file) {
        (Some(input), None) => input,
        (None, Some(path)) => {
            let path = file.parent().unwrap_or(Path::new(".")).join(path);
            let text =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_slice(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?
        }
        _ => bail!("give either \"input\" or \"inputFile\""),
    };
    let settings = fixture
        .settings
        .or_else(|| input.get("settings").cloned())
        .unwrap_or_else(|| json!({}));
    let limits = Limits::with_overrides(&fixture.limits, &Limits::DEFAULT_OPERATOR_MAX)
        .map_err(|(name, max)| anyhow::anyhow!("limits.{name}: must be 1 to {max}"))?;
    Ok(Fixture {
        name: fixture.name.unwrap_or(default_name),
        interface,
        input,
        settings,
        limits,
        expect: fixture.expect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(pattern: Value, actual: Value) -> Vec<String> {
        let mut found = Vec::new();
        mismatches(&pattern, &actual, "result", &mut found);
        found
    }

    #[test]
    fn a_pattern_matches_the_keys_it_names() {
        let answer = json!({"violations": [{"marker": "age", "code": "out_of_range", "message": "too old"}]});
        assert!(failures(
            json!({"violations": [{"marker": "age", "code": "out_of_range"}]}),
            answer.clone()
        )
        .is_empty());
        assert_eq!(
            failures(
                json!({"violations": [{"code": "required"}]}),
                answer.clone()
            ),
            ["result.violations[0].code: expected \"required\", got \"out_of_range\""]
        );
        assert_eq!(failures(json!({"violations": []}), answer.clone()).len(), 1);
        assert_eq!(
            failures(json!({"decision": {}}), answer),
            ["result.decision: missing (expected {})"]
        );
    }
}
