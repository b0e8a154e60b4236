//! What `portico plugin test` prints: a line per fixture, what did not match under a failed
//! one, and a summary.

use portico_wasm_runtime::fixtures::FixtureOutcome;

/// Prints the outcomes and answers the exit code: 0 when every fixture passed, else 1.
pub fn report(outcomes: &[FixtureOutcome], verbose: bool) -> i32 {
    for outcome in outcomes {
        let verdict = if outcome.passed() { "ok  " } else { "FAIL" };
        let fuel = outcome.report["fuelUsed"].as_u64().unwrap_or_default();
        let us = outcome.report["durationUs"].as_u64().unwrap_or_default();
        println!("{verdict} {}  ({fuel} fuel, {us} us)", outcome.name);
        for failure in &outcome.failures {
            println!("       {failure}");
        }
        if verbose || !outcome.passed() {
            let report = serde_json::to_string_pretty(&outcome.report).unwrap_or_default();
            for line in report.lines() {
                println!("       {line}");
            }
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    println!(
        "\n{} fixtures: {} passed, {failed} failed",
        outcomes.len(),
        outcomes.len() - failed
    );
    i32::from(failed > 0)
}
