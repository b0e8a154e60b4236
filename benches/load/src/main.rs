//! `portico-load`: Portico's load benchmark, side by side with a better-auth peer (issue 6).
//!
//! - `portico-load run`: builds and starts a release `portico serve` on 127.0.0.1 with a fresh
//!   data dir, seeds a tenant through the HTTP API, starts and seeds the peer (`benches/peer`),
//!   then for each scenario and concurrency spawns the load generator as a separate process
//!   against each target, samples the server's CPU time and peak RSS, and prints a table.
//! - `portico-load scale`: restart and scale (issue 6, item 4); see `scale.rs`.
//! - `portico-load noisy`: one tenant's traffic measured idle and while another tenant runs the
//!   worst plugin its limits allow (issue 16); see `noisy.rs` and docs/performance.md.
//! - `portico-load cluster`: 1 host against N hosts behind haproxy on PostgreSQL; see `cluster.rs`.
//! - `portico-load telemetry`: the cost of metrics and tracing, A/B; see `telemetry.rs`.
//! - `portico-load gen --plan FILE`: the load generator itself (spawned by `run`).
//!
//! See docs/performance.md for the command, the scenarios and the measured figures.

mod cluster;
mod fixtures;
mod gen;
mod http;
mod noisy;
mod noisy_load;
mod noisy_report;
mod peer;
mod portico;
mod procfs;
mod profile;
mod report;
mod scale;
mod scale_seed;
mod seed;
mod telemetry;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::gen::{GenResult, Plan, Step};
use portico_test_postgres::Postgres;

#[derive(Parser)]
#[command(
    name = "portico-load",
    about = "Load benchmark of Portico and its better-auth peer"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start, seed and measure Portico and the peer; print the table.
    Run(RunArgs),
    /// Restart time with many cached plugin versions, RSS with many tenants x 3 plugins, and
    /// the validator's cost inside the HTTP path (issue 6, item 4).
    Scale(scale::ScaleArgs),
    /// Tenant B's reads, sign-ins and validated updates, idle and while tenant A runs the
    /// hostile spinner at the operator's maximum limits (issue 16).
    Noisy(noisy::NoisyArgs),
    /// 1 host against N hosts on one PostgreSQL behind haproxy, with CPU per request (issue 18).
    Cluster(cluster::ClusterArgs),
    /// Metrics and tracing on against off, in alternating rounds (issue 21).
    Telemetry(telemetry::TelemetryArgs),
    /// The load generator (spawned by `run` as its own process).
    Gen {
        #[arg(long)]
        plan: String,
    },
}

#[derive(clap::Args, Clone)]
pub struct RunArgs {
    /// Seconds of measured load per scenario, concurrency and target.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Seconds of unmeasured load before each measurement.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Concurrency levels (workers, one keep-alive connection each).
    #[arg(long, value_delimiter = ',', default_values_t = vec![16usize, 64])]
    pub concurrency: Vec<usize>,
    /// Scenarios to run (default: all). See `scenario_names()`.
    #[arg(long, value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Measure Portico only.
    #[arg(long)]
    pub no_peer: bool,
    /// Do not build Portico (use --portico-bin as it is).
    #[arg(long)]
    pub no_build: bool,
    /// The portico binary (default: target/release/portico of this workspace).
    #[arg(long)]
    pub portico_bin: Option<PathBuf>,
    /// Portal users seeded per target (sign-in cycles over them).
    #[arg(long, default_value_t = 128)]
    pub users: usize,
    /// Skip the second Portico that commits every write on its own (`--commit-batch-max 1`),
    /// measured on the update scenarios against the default group commit.
    #[arg(long)]
    pub no_commit_compare: bool,
    /// Write every result as JSON here too.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where Portico and the peer store their data: each its embedded file (Portico's redb,
    /// the peer's SQLite), or one PostgreSQL server started for the run (a database each).
    #[arg(long, value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,
    /// Profile the server during each of its (group commit) measurements: `perf` data and a
    /// flamegraph per scenario and concurrency in this directory (needs `perf` and inferno;
    /// see `profile.rs`). Sampling costs the server CPU: compare profiled runs only with each
    /// other.
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

/// The storage both targets run on.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// Portico's redb file, the peer's SQLite file.
    Embedded,
    /// One PostgreSQL server (Debian's, started in the run's work directory).
    Postgres,
}

/// Every scenario, in the order they run.
pub const SCENARIOS: &[&str] = &[
    "sign_in",
    "session_read",
    "update_valid",
    "update_invalid",
    "update_valid_no_plugins",
    "update_valid_hooks",
    "signup_url",
    "block_unblock",
    "list_users",
];

/// Seconds a profile leaves out at each end of the measured load (the generator starting, the
/// workers stopping).
const PROFILE_MARGIN_S: f64 = 0.5;

/// Scenarios also measured on a Portico committing one transaction per write (`portico_1tx`).
pub const COMMIT_COMPARE_SCENARIOS: &[&str] = &["update_valid", "update_valid_no_plugins"];

/// The workspace root (benches/load/../..).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// One measured run: the generator's answer plus what the server spent.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Measured {
    #[serde(flatten)]
    pub gen: GenResult,
    pub server_cpu_pct: f64,
    pub peak_rss_mb: f64,
    /// Portico only: durable commits and the writes they carried during the run (warm-up
    /// included), from `/v1/storage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes: Option<u64>,
}

impl Measured {
    /// Microseconds of server CPU per answered request: steadier than req/s for comparing two
    /// builds on a shared machine, whose spare CPU drifts between runs.
    pub fn cpu_us_per_request(&self) -> f64 {
        if self.gen.rps > 0.0 {
            self.server_cpu_pct / 100.0 / self.gen.rps * 1e6
        } else {
            0.0
        }
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Gen { plan } => gen::run(&plan),
        Cmd::Run(args) => runner()?.block_on(run(args)),
        Cmd::Scale(args) => runner()?.block_on(scale::run(args)),
        Cmd::Noisy(args) => runner()?.block_on(noisy::run(args)),
        Cmd::Cluster(args) => runner()?.block_on(cluster::run(args)),
        Cmd::Telemetry(args) => runner()?.block_on(telemetry::run(args)),
    }
}

fn runner() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}

async fn run(args: RunArgs) -> Result<()> {
    // Before the run, not after its minutes of load: a folder that cannot be made fails now.
    if let Some(dir) = args.out.as_deref().and_then(std::path::Path::parent) {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        }
    }
    let scenarios: Vec<String> = if args.scenarios.is_empty() {
        SCENARIOS.iter().map(|s| s.to_string()).collect()
    } else {
        for s in &args.scenarios {
            anyhow::ensure!(
                SCENARIOS.contains(&s.as_str()),
                "unknown scenario {s}; known: {}",
                SCENARIOS.join(", ")
            );
        }
        args.scenarios.clone()
    };
    let root = repo_root();
    if let Some(dir) = &args.profile {
        profile::check_tools()?;
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    eprintln!("loadavg before: {}", uptime());
    let work = std::env::temp_dir().join(format!("portico-load-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;

    let portico_bin = portico::prepare(&root, args.no_build, args.portico_bin.as_deref())?;
    let postgres = (args.store == StoreKind::Postgres).then(|| Postgres::start(&[]));
    let (portico_db, peer_db) = match &postgres {
        Some(server) => (
            Some(server.create_database("portico").await),
            Some(server.create_database("peer").await),
        ),
        None => (None, None),
    };
    let portico_args: Vec<String> = match portico_db {
        Some(url) => vec!["--database".into(), url],
        None => Vec::new(),
    };
    let portico_args: Vec<&str> = portico_args.iter().map(String::as_str).collect();
    let mut p =
        portico::Portico::start(&portico_bin, &work, "portico", &portico_args, args.users).await?;
    // Group commit is the embedded engine's: there is nothing to compare on PostgreSQL.
    let mut p1 = if args.no_commit_compare
        || postgres.is_some()
        || !scenarios
            .iter()
            .any(|s| COMMIT_COMPARE_SCENARIOS.contains(&s.as_str()))
    {
        None
    } else {
        Some(
            portico::Portico::start(
                &portico_bin,
                &work,
                "portico_1tx",
                &["--commit-batch-max", "1"],
                args.users,
            )
            .await?,
        )
    };
    let mut peer = if args.no_peer {
        None
    } else {
        Some(peer::Peer::start(&root, &work, args.users, peer_db.as_deref()).await?)
    };

    eprintln!(
        "after seeding: portico RSS {:.1} MB",
        procfs::rss_kb(p.pid())? as f64 / 1024.0
    );
    if let Some(peer) = &peer {
        eprintln!(
            "after seeding: peer RSS {:.1} MB",
            procfs::rss_kb(peer.pid())? as f64 / 1024.0
        );
    }
    let started = Instant::now();
    let mut results: Vec<Measured> = Vec::new();
    let outcome: Result<()> = async {
        for scenario in &scenarios {
            for &c in &args.concurrency {
                if let Some(scripts) = p.scripts(scenario, c).await? {
                    let before = p.commit_counters().await?;
                    let profiled = args.profile.as_deref().map(|dir| {
                        let profile = profile::Profile::new(dir, scenario, "portico", c);
                        let recording = profile.start(
                            p.pid(),
                            Duration::from_secs_f64(args.warmup + PROFILE_MARGIN_S),
                            (args.duration - 2.0 * PROFILE_MARGIN_S).max(PROFILE_MARGIN_S),
                        );
                        (profile, recording)
                    });
                    let mut m = measure(&args, &work, scenario, "portico", c, p.pid(), scripts)?;
                    if let Some((profile, recording)) = profiled {
                        recording.finish()?;
                        eprintln!("    flamegraph: {}", profile.draw()?.display());
                    }
                    let after = p.commit_counters().await?;
                    note_batching(&mut m, before, after);
                    results.push(m);
                }
                if let Some(p1) = p1
                    .as_mut()
                    .filter(|_| COMMIT_COMPARE_SCENARIOS.contains(&scenario.as_str()))
                {
                    if let Some(scripts) = p1.scripts(scenario, c).await? {
                        let before = p1.commit_counters().await?;
                        let mut m =
                            measure(&args, &work, scenario, "portico_1tx", c, p1.pid(), scripts)?;
                        let after = p1.commit_counters().await?;
                        note_batching(&mut m, before, after);
                        results.push(m);
                    }
                }
                if let Some(peer) = peer.as_mut() {
                    if let Some(scripts) = peer.scripts(scenario, c).await? {
                        results.push(measure(
                            &args,
                            &work,
                            scenario,
                            "peer",
                            c,
                            peer.pid(),
                            scripts,
                        )?);
                    }
                }
            }
        }
        Ok(())
    }
    .await;
    p.stop();
    if let Some(p1) = p1.as_mut() {
        p1.stop();
    }
    if let Some(peer) = peer.as_mut() {
        peer.stop();
    }
    let _ = std::fs::remove_dir_all(&work);
    outcome?;
    eprintln!(
        "loadavg after: {} (load phase {:.0} s)",
        uptime(),
        started.elapsed().as_secs_f64()
    );
    println!("{}", report::table(&results, &scenarios, &args.concurrency));
    if let Some(out) = &args.out {
        write_results(out, &results)?;
    }
    Ok(())
}

/// Writes every result as JSON to `out`.
fn write_results(out: &std::path::Path, results: &[Measured]) -> Result<()> {
    let json = serde_json::to_string_pretty(results)?;
    std::fs::write(out, json).with_context(|| format!("write the results to {}", out.display()))
}

/// Records how many durable commits a Portico run made and how many writes they carried.
fn note_batching(m: &mut Measured, (c0, w0): (u64, u64), (c1, w1): (u64, u64)) {
    let (commits, writes) = (c1.saturating_sub(c0), w1.saturating_sub(w0));
    eprintln!(
        "    {commits} durable commits carried {writes} writes ({:.1} per commit)",
        writes as f64 / commits.max(1) as f64
    );
    m.commits = Some(commits);
    m.writes = Some(writes);
}

/// One measurement: the generator run against the server `pid` with `scripts`.
pub(crate) fn measure(
    args: &RunArgs,
    work: &std::path::Path,
    scenario: &str,
    target: &str,
    concurrency: usize,
    pid: u32,
    scripts: Vec<Vec<Step>>,
) -> Result<Measured> {
    let plan = plan_of(args, scenario, target, concurrency, scripts);
    let running = Running::start(work, &plan, pid)?;
    running.finish()
}

/// Measurements of several servers at once, one generator each over the same window, so
/// whatever else the machine does touches all of them alike: (target, pid, scripts) each.
pub(crate) fn measure_together(
    args: &RunArgs,
    work: &std::path::Path,
    scenario: &str,
    concurrency: usize,
    targets: Vec<(&str, u32, Vec<Vec<Step>>)>,
) -> Result<Vec<Measured>> {
    let running = targets
        .into_iter()
        .map(|(target, pid, scripts)| {
            let plan = plan_of(args, scenario, target, concurrency, scripts);
            Running::start(work, &plan, pid)
        })
        .collect::<Result<Vec<_>>>()?;
    running.into_iter().map(Running::finish).collect()
}

fn plan_of(
    args: &RunArgs,
    scenario: &str,
    target: &str,
    concurrency: usize,
    scripts: Vec<Vec<Step>>,
) -> Plan {
    Plan {
        scenario: scenario.into(),
        target: target.into(),
        concurrency,
        duration_s: args.duration,
        warmup_s: args.warmup,
        scripts,
    }
}

/// A generator running against one server, and that server's CPU time when it started.
struct Running {
    child: std::process::Child,
    pid: u32,
    cpu0: f64,
    t0: Instant,
}

impl Running {
    fn start(work: &std::path::Path, plan: &Plan, pid: u32) -> Result<Running> {
        let plan_path = work.join(format!(
            "plan-{}-{}-{}.json",
            plan.target, plan.scenario, plan.concurrency
        ));
        std::fs::write(&plan_path, serde_json::to_vec(plan)?)?;
        procfs::reset_peak_rss(pid);
        let cpu0 = procfs::cpu_seconds(pid)?;
        let t0 = Instant::now();
        let child = Command::new(std::env::current_exe()?)
            .args(["gen", "--plan"])
            .arg(&plan_path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("spawn the load generator")?;
        Ok(Running {
            child,
            pid,
            cpu0,
            t0,
        })
    }

    fn finish(self) -> Result<Measured> {
        let out = self.child.wait_with_output()?;
        let wall = self.t0.elapsed().as_secs_f64();
        let cpu1 = procfs::cpu_seconds(self.pid)?;
        anyhow::ensure!(
            out.status.success(),
            "generator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let gen: GenResult = serde_json::from_slice(&out.stdout)
            .with_context(|| String::from_utf8_lossy(&out.stdout).to_string())?;
        let m = Measured {
            gen,
            server_cpu_pct: (cpu1 - self.cpu0) / wall * 100.0,
            peak_rss_mb: procfs::peak_rss_kb(self.pid)? as f64 / 1024.0,
            commits: None,
            writes: None,
        };
        print_measured(&m);
        Ok(m)
    }
}

fn print_measured(m: &Measured) {
    eprintln!(
        "{:<24} {:<8} c={:<3} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {:>5}  cpu {:>4.0}% ({:.0} us/req)  rss {:>6.1} MB{}",
        m.gen.scenario,
        m.gen.target,
        m.gen.concurrency,
        m.gen.rps,
        m.gen.p50_ms,
        m.gen.p99_ms,
        m.gen.errors,
        m.server_cpu_pct,
        m.cpu_us_per_request(),
        m.peak_rss_mb,
        m.gen.first_error.as_deref().map(|e| format!("\n    first error: {e}")).unwrap_or_default()
    );
}
