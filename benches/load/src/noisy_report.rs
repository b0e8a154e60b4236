//! The table of `portico-load noisy`: B idle against B while A runs, and A's own outcomes.

use std::fmt::Write;

use serde::Serialize;

use crate::noisy_load::{NoisyOutcomes, SpinLimits};
use crate::Measured;

/// Everything one run measured.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoisyResults {
    pub serve_args: Vec<String>,
    pub idle: Vec<Measured>,
    pub noisy: Vec<Measured>,
    pub noisy_callers: usize,
    pub spin_limits: SpinLimits,
    pub noisy_outcomes: NoisyOutcomes,
    pub loadavg_before: String,
    pub loadavg_after: String,
}

/// The target of issue 16: B's p99 while A runs stays within this multiple of its idle p99.
pub const P99_TARGET_RATIO: f64 = 2.0;

/// B's p99 while A runs over its idle p99 (infinite when the idle p99 is 0).
pub fn p99_ratio(idle: &Measured, noisy: &Measured) -> f64 {
    if idle.gen.p99_ms > 0.0 {
        noisy.gen.p99_ms / idle.gen.p99_ms
    } else {
        f64::INFINITY
    }
}

/// Whether one scenario met the target: p99 within the ratio, and B never refused.
pub fn met(idle: &Measured, noisy: &Measured) -> bool {
    p99_ratio(idle, noisy) <= P99_TARGET_RATIO && idle.gen.errors == 0 && noisy.gen.errors == 0
}

pub fn table(r: &NoisyResults) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| B scenario | c | req/s idle | req/s noisy | p50 ms idle | p50 ms noisy | p99 ms idle | p99 ms noisy | p99 noisy/idle | refused idle | refused noisy | server CPU idle | server CPU noisy | p99 within {P99_TARGET_RATIO}x, never refused |"
    );
    let _ = writeln!(
        s,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for idle in &r.idle {
        let Some(noisy) = r.noisy.iter().find(|m| m.gen.scenario == idle.gen.scenario) else {
            continue;
        };
        let (i, n) = (&idle.gen, &noisy.gen);
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2}x | {} | {} | {:.0}% | {:.0}% | {} |",
            i.scenario,
            i.concurrency,
            i.rps,
            n.rps,
            i.p50_ms,
            n.p50_ms,
            i.p99_ms,
            n.p99_ms,
            p99_ratio(idle, noisy),
            i.errors,
            n.errors,
            idle.server_cpu_pct,
            noisy.server_cpu_pct,
            if met(idle, noisy) { "yes" } else { "no" }
        );
    }
    for m in r.idle.iter().chain(&r.noisy) {
        if let Some(e) = &m.gen.first_error {
            let _ = writeln!(
                s,
                "\nB {} ({}) first refusal: {e}",
                m.gen.scenario, m.gen.target
            );
        }
    }
    let a = &r.noisy_outcomes;
    let refused: Vec<String> = a.refused.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let _ = writeln!(
        s,
        "\nA: {} callers of the spinner at fuel {} and deadline {} ms: {} calls ran ({} deadline, {} out_of_fuel, {} other); {} answered 503 ({}); {} other errors; longest run {:.0} ms, most fuel {}; {:.2} spinner calls running on average over {:.0} s",
        r.noisy_callers,
        r.spin_limits.fuel,
        r.spin_limits.deadline_ms,
        a.ran,
        a.deadline,
        a.out_of_fuel,
        a.other_outcomes,
        a.refused_total(),
        if refused.is_empty() { "none".into() } else { refused.join(", ") },
        a.errors,
        a.longest_run_ms,
        a.most_fuel,
        a.mean_running(),
        a.load_s,
    );
    if let Some(e) = &a.first_error {
        let _ = writeln!(s, "A first error: {e}");
    }
    let _ = writeln!(
        s,
        "portico serve arguments: {}; loadavg before {}, after {}",
        if r.serve_args.is_empty() {
            "the defaults".into()
        } else {
            r.serve_args.join(" ")
        },
        r.loadavg_before,
        r.loadavg_after
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::GenResult;
    use crate::noisy_load::{NoisyOutcomes, SpinLimits};

    fn measured(target: &str, p99_ms: f64, errors: u64) -> Measured {
        Measured {
            gen: GenResult {
                scenario: "user_read".into(),
                target: target.into(),
                concurrency: 4,
                requests: 100,
                errors,
                rps: 1000.0,
                p50_ms: 1.0,
                p99_ms,
                first_error: None,
            },
            server_cpu_pct: 50.0,
            peak_rss_mb: 100.0,
            commits: None,
            writes: None,
        }
    }

    #[test]
    fn the_target_is_a_p99_within_twice_idle_and_no_refusal() {
        let idle = measured("idle", 2.0, 0);
        assert_eq!(p99_ratio(&idle, &measured("noisy", 3.0, 0)), 1.5);
        assert!(met(&idle, &measured("noisy", 4.0, 0)));
        assert!(!met(&idle, &measured("noisy", 4.1, 0)));
        assert!(!met(&idle, &measured("noisy", 3.0, 1)));
        assert!(!met(&measured("idle", 0.0, 0), &measured("noisy", 1.0, 0)));
    }

    #[test]
    fn the_table_pairs_idle_with_noisy_and_reports_a() {
        let mut outcomes = NoisyOutcomes {
            ran: 3,
            deadline: 3,
            longest_run_ms: 5002.0,
            ..Default::default()
        };
        outcomes.refused.insert("server_busy".into(), 12);
        let r = NoisyResults {
            serve_args: vec![],
            idle: vec![measured("idle", 2.0, 0)],
            noisy: vec![measured("noisy", 5.0, 0)],
            noisy_callers: 16,
            spin_limits: SpinLimits {
                fuel: 10,
                deadline_ms: 5000,
            },
            noisy_outcomes: outcomes,
            loadavg_before: "0.5".into(),
            loadavg_after: "2.0".into(),
        };
        let t = table(&r);
        assert!(
            t.contains("| user_read | 4 | 1000 | 1000 | 1.00 | 1.00 | 2.00 | 5.00 | 2.50x | 0 | 0 | 50% | 50% | no |"),
            "{t}"
        );
        assert!(t.contains("3 calls ran (3 deadline, 0 out_of_fuel, 0 other); 12 answered 503 (12 server_busy)"), "{t}");
    }
}
