//! `portico-load telemetry`: what metrics and tracing cost (issue 21). Two servers of one build
//! run side by side: A as shipped (metrics recorded, one access line per request at `info`), B
//! with both off (`--no-metrics`, `PORTICO_LOG=off`). Each round measures both on the same
//! scenario and concurrency (A first in even rounds, B first in odd ones), so machine drift and
//! order touch both alike; the report gives each round's
//! server CPU per request and A's overhead over B, and the median over the rounds.
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

/// Each round's (A, B) measurements.
async fn measure_rounds(
    args: &TelemetryArgs,
    bin: &std::path::Path,
    work: &std::path::Path,
) -> Result<Vec<(Measured, Measured)>> {
    let run_args = args.run_args();
    let (scenario, c) = (args.scenario.as_str(), args.concurrency);
    let mut a = Portico::start(bin, work, "telemetry_on", &[], args.users).await?;
    let off_args: &[&str] = match args.off.as_str() {
        "logs" | "none" => &[],
        _ => &["--no-metrics"],
    };
    let off_env: &[(&str, &str)] = match args.off.as_str() {
        "metrics" | "none" => &[],
        _ => &[("PORTICO_LOG", args.off_log_filter.as_str())],
    };
    let mut b =
        Portico::start_with_env(bin, work, "telemetry_off", off_args, off_env, args.users).await?;
    let mut rounds = Vec::new();
    for round in 0..args.rounds {
        let scripts_a = a.scripts(scenario, c).await?.expect("a Portico scenario");
        let scripts_b = b.scripts(scenario, c).await?.expect("a Portico scenario");
        let on = |scripts| {
            measure(
                &run_args,
                work,
                scenario,
                "telemetry_on",
                c,
                a.pid(),
                scripts,
            )
        };
        let off = |scripts| {
            measure(
                &run_args,
                work,
                scenario,
                "telemetry_off",
                c,
                b.pid(),
                scripts,
            )
        };
        if args.together {
            let mut both = measure_together(
                &run_args,
                work,
                scenario,
                c,
                vec![
                    ("telemetry_on", a.pid(), scripts_a),
                    ("telemetry_off", b.pid(), scripts_b),
                ],
            )?;
            let off = both.pop().expect("B measured");
            rounds.push((both.pop().expect("A measured"), off));
            continue;
        }
        // Every other round B goes first, so an order effect cancels out.
        let measured = if round % 2 == 0 {
            let on = on(scripts_a)?;
            (on, off(scripts_b)?)
        } else {
            let off = off(scripts_b)?;
            (on(scripts_a)?, off)
        };
        rounds.push(measured);
    }
    a.stop();
    b.stop();
    Ok(rounds)
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
    if let Some(median) = overheads.get(overheads.len() / 2) {
        lines.push(format!(
            "\nmedian overhead of metrics and tracing: {median:+.1}% CPU per request"
        ));
    }
    lines.join("\n")
}
