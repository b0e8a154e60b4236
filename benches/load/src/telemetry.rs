//! `portico-load telemetry`: what metrics and tracing cost (issue 21). Two servers of one build
//! run side by side: A as shipped (metrics recorded, one access line per request at `info`), B
//! with both off (`--no-metrics`, `PORTICO_LOG=off`). Each round measures both on the same
//! scenario and concurrency (A first in even rounds, B first in odd ones), so machine drift and
//! order touch both alike, on a pair started fresh for the round (`--same-servers` keeps one);
//! the report gives each round's server CPU per request and A's overhead over B, and the median
//! over the rounds with its 95% confidence interval.
//!
//! With `--together` each round loads A and B at the same time instead (one generator each,
//! over the same window): on a shared 2-core machine whose spare CPU drifts within seconds, what
//! else runs then touches both alike.

use std::path::PathBuf;

use anyhow::Result;

use crate::portico::{prepare, Portico};
use crate::{measure, measure_together, repo_root, Measured, RunArgs, StoreKind};

#[derive(clap::Args, Clone)]
pub struct TelemetryArgs {
    /// The scenario measured.
    #[arg(long, default_value = "update_valid")]
    pub scenario: String,
    /// Concurrency (workers, one keep-alive connection each).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Rounds, each measuring A then B.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Seconds of measured load per measurement.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of unmeasured load before each measurement.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Do not build Portico (use --portico-bin as it is).
    #[arg(long)]
    pub no_build: bool,
    /// The portico binary (default: target/release/portico of this workspace).
    #[arg(long)]
    pub portico_bin: Option<PathBuf>,
    /// What B turns off: `all` (metrics and logs), `metrics` or `logs` (to split the cost), or
    /// `none` (B is A: what the method itself reads as overhead).
    #[arg(long, default_value = "all", value_parser = ["all", "metrics", "logs", "none"])]
    pub off: String,
    /// B's `PORTICO_LOG` when its logs are off (`info,portico::access=off` keeps the spans
    /// and drops the access lines).
    #[arg(long, default_value = "off")]
    pub off_log_filter: String,
    /// Portal users seeded per server.
    #[arg(long, default_value_t = 128)]
    pub users: usize,
    /// Load A and B at the same time in each round (each with `--concurrency` workers).
    #[arg(long)]
    pub together: bool,
    /// Measure every round on the same two servers. By default each round starts a fresh pair
    /// (fresh data, seeded again, A or B started first by turns): a pair keeps differences of
    /// its own for as long as it runs (where its data and memory landed), which measured up to
    /// 3% between whole runs of identical servers.
    #[arg(long)]
    pub same_servers: bool,
}

impl TelemetryArgs {
    /// The measurement settings `measure` reads.
    fn run_args(&self) -> RunArgs {
        RunArgs {
            duration: self.duration,
            warmup: self.warmup,
            concurrency: vec![self.concurrency],
            scenarios: vec![self.scenario.clone()],
            no_peer: true,
            no_build: self.no_build,
            portico_bin: self.portico_bin.clone(),
            users: self.users,
            no_commit_compare: true,
            out: None,
            store: StoreKind::Embedded,
            profile: None,
        }
    }
}

pub async fn run(args: TelemetryArgs) -> Result<()> {
    let root = repo_root();
    let bin = prepare(&root, args.no_build, args.portico_bin.as_deref())?;
    let work = std::env::temp_dir().join(format!("portico-telemetry-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let outcome = measure_rounds(&args, &bin, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    println!("{}", report(&outcome?));
    Ok(())
}

/// Labels of the two servers (their data directories and logs are named after them).
const A: &str = "telemetry_on";
const B: &str = "telemetry_off";

/// Starts A and B on fresh data directories, in the order given.
async fn start_pair(
    args: &TelemetryArgs,
    bin: &std::path::Path,
    work: &std::path::Path,
    a_first: bool,
) -> Result<(Portico, Portico)> {
    for label in [A, B] {
        let _ = std::fs::remove_dir_all(work.join(format!("{label}-data")));
    }
    let off_args: &[&str] = match args.off.as_str() {
        "logs" | "none" => &[],
        _ => &["--no-metrics"],
    };
    let off_env: &[(&str, &str)] = match args.off.as_str() {
        "metrics" | "none" => &[],
        _ => &[("PORTICO_LOG", args.off_log_filter.as_str())],
    };
    let start_a = || Portico::start(bin, work, A, &[], args.users);
    let start_b = || Portico::start_with_env(bin, work, B, off_args, off_env, args.users);
    Ok(match a_first {
        true => {
            let a = start_a().await?;
            (a, start_b().await?)
        }
        false => {
            let b = start_b().await?;
            (start_a().await?, b)
        }
    })
}

/// Each round's (A, B) measurements.
async fn measure_rounds(
    args: &TelemetryArgs,
    bin: &std::path::Path,
    work: &std::path::Path,
) -> Result<Vec<(Measured, Measured)>> {
    let (mut a, mut b) = start_pair(args, bin, work, true).await?;
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        if round > 0 && !args.same_servers {
            a.stop();
            b.stop();
            (a, b) = start_pair(args, bin, work, round.is_multiple_of(2)).await?;
        }
        rounds.push(measure_round(args, work, &mut a, &mut b, round).await?);
    }
    a.stop();
    b.stop();
    Ok(rounds)
}

/// One round's (A, B) measurement of `scenario` at the concurrency asked.
async fn measure_round(
    args: &TelemetryArgs,
    work: &std::path::Path,
    a: &mut Portico,
    b: &mut Portico,
    round: usize,
) -> Result<(Measured, Measured)> {
    let run_args = args.run_args();
    let (scenario, c) = (args.scenario.as_str(), args.concurrency);
    let scripts_a = a.scripts(scenario, c).await?.expect("a Portico scenario");
    let scripts_b = b.scripts(scenario, c).await?.expect("a Portico scenario");
    if args.together {
        let mut both = measure_together(
            &run_args,
            work,
            scenario,
            c,
            vec![(A, a.pid(), scripts_a), (B, b.pid(), scripts_b)],
        )?;
        let off = both.pop().expect("B measured");
        return Ok((both.pop().expect("A measured"), off));
    }
    let on = |scripts| measure(&run_args, work, scenario, A, c, a.pid(), scripts);
    let off = |scripts| measure(&run_args, work, scenario, B, c, b.pid(), scripts);
    // Every other round B goes first, so an order effect cancels out.
    Ok(if round.is_multiple_of(2) {
        let on = on(scripts_a)?;
        (on, off(scripts_b)?)
    } else {
        let off = off(scripts_b)?;
        (on(scripts_a)?, off)
    })
}

/// The rounds as a table, and the median overhead of CPU per request.
fn report(rounds: &[(Measured, Measured)]) -> String {
    let mut lines = vec![
        "| round | on req/s | off req/s | on CPU us/req | off CPU us/req | overhead |".to_string(),
        "| ---: | ---: | ---: | ---: | ---: | ---: |".to_string(),
    ];
    let mut overheads = Vec::new();
    for (i, (on, off)) in rounds.iter().enumerate() {
        let (a, b) = (on.cpu_us_per_request(), off.cpu_us_per_request());
        let overhead = (a - b) / b * 100.0;
        overheads.push(overhead);
        lines.push(format!(
            "| {} | {:.0} | {:.0} | {a:.1} | {b:.1} | {overhead:+.1}% |",
            i + 1,
            on.gen.rps,
            off.gen.rps
        ));
    }
    overheads.sort_by(f64::total_cmp);
    if let Some(median) = median(&overheads) {
        lines.push(format!(
            "\nmedian overhead of metrics and tracing: {median:+.1}% CPU per request"
        ));
    }
    if let Some((low, high)) = median_interval(&overheads) {
        lines.push(format!(
            "95% confidence interval of the median: {low:+.1}% to {high:+.1}%"
        ));
    }
    lines.join("\n")
}

/// The median of sorted values (the mean of the middle two when their count is even).
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if !n.is_multiple_of(2) => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// A 95% confidence interval of the median of sorted values, free of any assumption about
/// their distribution: the k-th smallest and k-th largest, k the largest rank such that fewer
/// than k of n values fall below the median with probability at most 2.5% (binomial, p = 1/2).
/// `None` with fewer than 6 values (no such k).
fn median_interval(sorted: &[f64]) -> Option<(f64, f64)> {
    let n = sorted.len();
    let mut below = 0.0; // P(fewer than k values below the median)
    let mut k = 0;
    for i in 0..n {
        let next = below + binomial_half(n, i);
        if next > 0.025 {
            break;
        }
        below = next;
        k = i + 1;
    }
    (k >= 1).then(|| (sorted[k - 1], sorted[n - k]))
}

/// P(X = i) for X ~ Binomial(n, 1/2).
fn binomial_half(n: usize, i: usize) -> f64 {
    let ln_choose: f64 = (0..i).map(|j| ((n - j) as f64 / (j + 1) as f64).ln()).sum();
    (ln_choose - n as f64 * std::f64::consts::LN_2).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 4.0]), Some(2.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn the_median_interval_takes_the_binomial_ranks() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        // n = 20: P(X <= 5) = 2.07%, P(X <= 6) = 5.77%, so the 6th smallest and 6th largest.
        assert_eq!(median_interval(&values), Some((6.0, 15.0)));
        // n = 6: P(X = 0) = 1.6%, so the extremes; n = 5 has no 95% interval.
        assert_eq!(median_interval(&values[..6]), Some((1.0, 6.0)));
        assert_eq!(median_interval(&values[..5]), None);
    }
}
