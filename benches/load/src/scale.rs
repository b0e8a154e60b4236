//! `portico-load scale` (issue 6, item 4): restart time with many cached plugin versions, RSS
//! with many tenants each with the three example plugins bound, and the validator's cost inside
//! the HTTP path.
//!
//! One release `portico serve` on a fresh data dir with `--tenants` tenants, each with the
//! validator, the hooks and its own copy of the signup policy (a distinct custom section: a
//! distinct sha256, compiled once at upload). Then: RSS; restarts timed from spawn to the first
//! answer of `/v1/health` and to the first plugin call, with the runtime's compile/deserialize
//! counters; RSS; traffic through every tenant's plugins; RSS; then the load benchmark's two
//! tenants (`bench` with the plugins, `bench_plain` without) and sequential `updateUser` with
//! the 15-field validator bound against none (the load generator as its own process,
//! concurrency 1), with the validator's own durations from its invocation log.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::fixtures::OPERATOR_TOKEN;
use crate::gen::{GenResult, Plan};
use crate::portico::Portico;
use crate::procfs;
use crate::scale_seed::{self, ScaleTenant};

/// Portal users of the `bench` tenants: only sessions for concurrency 1 are needed.
const BENCH_USERS: usize = 8;
/// Pause between polls of `/v1/health` while timing a restart (the resolution of the figure).
const READY_POLL: Duration = Duration::from_millis(2);
/// Give up on a restart after this long.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(clap::Args, Clone)]
pub struct ScaleArgs {
    /// Tenants with the three plugins bound (each with its own policy version).
    #[arg(long, default_value_t = 1000)]
    pub tenants: usize,
    /// Restarts to time.
    #[arg(long, default_value_t = 3)]
    pub restarts: usize,
    /// Seconds of sequential updateUser per variant (with / without the validator).
    #[arg(long, default_value_t = 10.0)]
    pub seq_duration: f64,
    /// Do not build Portico (use --portico-bin as it is).
    #[arg(long)]
    pub no_build: bool,
    /// The portico binary (default: release/portico under CARGO_TARGET_DIR or target/).
    #[arg(long)]
    pub portico_bin: Option<std::path::PathBuf>,
    /// Keep the work dir (data dir, log, binary) for a closer look afterwards.
    #[arg(long)]
    pub keep: bool,
    /// Write the figures as JSON here too.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Where Portico stores its data: its redb file, or a PostgreSQL server started for the
    /// run (a restart is then a host joining a cluster whose database holds the plugins).
    #[arg(long, value_enum, default_value_t = crate::StoreKind::Embedded)]
    pub store: crate::StoreKind,
}

/// The runtime's counters (`GET /v1/plugin-runtime`).
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuntimeStats {
    compilations: u64,
    deserializations: u64,
    loaded_versions: usize,
}

#[derive(Debug, Serialize)]
struct Memory {
    when: String,
    rss_mb: f64,
    hwm_mb: f64,
    smaps: procfs::Breakdown,
}

#[derive(Debug, Serialize)]
struct Restart {
    health_ms: f64,
    first_call_ms: f64,
    stats: RuntimeStats,
}

#[derive(Debug, Serialize)]
struct Figures {
    tenants: usize,
    seed_s: f64,
    policy_upload_ms_p50: f64,
    policy_upload_ms_p99: f64,
    stats_after_seed: RuntimeStats,
    data_file_mb: f64,
    memory: Vec<Memory>,
    restarts: Vec<Restart>,
    traffic_requests: usize,
    traffic_s: f64,
    stats_after_traffic: RuntimeStats,
    sequential: Vec<GenResult>,
    validator_invocation_us_p50: f64,
    validator_invocation_us_p99: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn memory(p: &Portico, when: &str) -> Result<Memory> {
    let m = Memory {
        when: when.into(),
        rss_mb: procfs::rss_kb(p.pid())? as f64 / 1024.0,
        hwm_mb: procfs::peak_rss_kb(p.pid())? as f64 / 1024.0,
        smaps: procfs::breakdown(p.pid())?,
    };
    eprintln!(
        "RSS {:<28} VmRSS {:>7.1} MB  VmHWM {:>7.1} MB  (plugin code {:.1} MB in {} mappings, other anon {:.1} MB, files {:.1} MB)",
        m.when,
        m.rss_mb,
        m.hwm_mb,
        m.smaps.code_kb as f64 / 1024.0,
        m.smaps.code_mappings,
        m.smaps.anon_kb as f64 / 1024.0,
        m.smaps.file_kb as f64 / 1024.0
    );
    Ok(m)
}

async fn runtime_stats(p: &Portico) -> Result<RuntimeStats> {
    let op = vec![(
        "authorization".to_string(),
        format!("Bearer {OPERATOR_TOKEN}"),
    )];
    let a = p
        .http()
        .json(
            Method::GET,
            &format!("{}/v1/plugin-runtime", p.base()),
            &op,
            None,
            StatusCode::OK,
        )
        .await?;
    Ok(serde_json::from_value(a.body)?)
}

/// Restarts the server and times it from spawn: to the first 200 of `/v1/health`, then to the
/// first plugin call (a signup link through the last tenant's own policy version).
async fn timed_restart(p: &mut Portico, probe: &ScaleTenant) -> Result<Restart> {
    let client = reqwest::Client::builder().http1_only().build()?;
    let health = format!("{}/v1/health", p.base());
    let t0 = Instant::now();
    p.restart()?;
    loop {
        if let Ok(r) = client.get(&health).send().await {
            if r.status().is_success() {
                break;
            }
        }
        anyhow::ensure!(t0.elapsed() < READY_TIMEOUT, "portico did not restart");
        tokio::time::sleep(READY_POLL).await;
    }
    let health_ms = t0.elapsed().as_secs_f64() * 1000.0;
    scale_seed::signup_link(p.http(), probe).await?;
    let first_call_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let stats = runtime_stats(p).await?;
    eprintln!(
        "restart: /v1/health after {health_ms:.0} ms, first plugin call after {first_call_ms:.0} ms; {stats:?}"
    );
    Ok(Restart {
        health_ms,
        first_call_ms,
        stats,
    })
}

/// Sequential (concurrency 1) `updateUser` with the 15 valid fields, by the generator process.
fn sequential(
    args: &ScaleArgs,
    work: &std::path::Path,
    scenario: &str,
    scripts: Vec<Vec<crate::gen::Step>>,
) -> Result<GenResult> {
    let plan = Plan {
        scenario: scenario.into(),
        target: "portico".into(),
        concurrency: 1,
        duration_s: args.seq_duration,
        warmup_s: 1.0,
        scripts,
    };
    let path = work.join(format!("plan-seq-{scenario}.json"));
    std::fs::write(&path, serde_json::to_vec(&plan)?)?;
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["gen", "--plan"])
        .arg(&path)
        .output()
        .context("spawn the load generator")?;
    anyhow::ensure!(
        out.status.success(),
        "generator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: GenResult = serde_json::from_slice(&out.stdout)?;
    eprintln!(
        "sequential {:<24} {:>6} requests  {:>7.0} req/s  p50 {:.3} ms  p99 {:.3} ms  errors {}",
        r.scenario, r.requests, r.rps, r.p50_ms, r.p99_ms, r.errors
    );
    Ok(r)
}

/// Durations (us) the `bench` tenant's validator recorded in its invocation log.
async fn validator_durations(p: &Portico) -> Result<Vec<f64>> {
    let (base, auth) = p.tenant(true);
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/plugins/validator/invocations?limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let a = p
            .http()
            .json(Method::GET, &url, &auth, None, StatusCode::OK)
            .await?;
        for item in a.body["items"].as_array().context("items")? {
            out.push(item["durationUs"].as_f64().unwrap_or(0.0));
        }
        match a.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    out.sort_by(|a, b| a.total_cmp(b));
    Ok(out)
}

pub async fn run(args: ScaleArgs) -> Result<()> {
    let root = crate::repo_root();
    eprintln!("loadavg before: {}", crate::uptime());
    let work = std::env::temp_dir().join(format!("portico-scale-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let built = crate::portico::prepare(&root, args.no_build, args.portico_bin.as_deref())?;
    // A private copy: a shared target dir may be rebuilt by someone else during the run.
    let bin = work.join("portico");
    std::fs::copy(&built, &bin)?;
    let postgres = (args.store == crate::StoreKind::Postgres)
        .then(|| portico_test_postgres::Postgres::start(&[]));
    let database: Vec<String> = match &postgres {
        Some(server) => vec!["--database".into(), server.create_database("portico").await],
        None => Vec::new(),
    };
    let database: Vec<&str> = database.iter().map(String::as_str).collect();
    let mut p = Portico::start_empty(&bin, &work, "portico", &database).await?;
    let outcome = measure(&args, &work, &mut p).await;
    p.stop();
    if args.keep {
        eprintln!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    let figures = outcome?;
    eprintln!("loadavg after: {}", crate::uptime());
    println!("{}", serde_json::to_string_pretty(&figures)?);
    if let Some(out) = &args.out {
        std::fs::write(out, serde_json::to_string_pretty(&figures)?)?;
    }
    Ok(())
}

async fn measure(args: &ScaleArgs, work: &std::path::Path, p: &mut Portico) -> Result<Figures> {
    let t0 = Instant::now();
    let tenants = scale_seed::seed(p.http(), &p.base(), args.tenants).await?;
    let seed_s = t0.elapsed().as_secs_f64();
    let mut uploads: Vec<f64> = tenants.iter().map(|t| t.policy_upload_ms).collect();
    uploads.sort_by(|a, b| a.total_cmp(b));
    let stats_after_seed = runtime_stats(p).await?;
    eprintln!(
        "seeded {} tenants in {seed_s:.1} s; policy upload p50 {:.0} ms p99 {:.0} ms; {stats_after_seed:?}",
        args.tenants,
        percentile(&uploads, 0.5),
        percentile(&uploads, 0.99)
    );
    let data_file_mb = dir_size(&work.join("portico-data")) as f64 / 1e6;
    let mut memory_rows = vec![memory(p, "after seeding")?];
    let probe = tenants.last().context("no tenants")?.clone();
    let mut restarts = Vec::new();
    for _ in 0..args.restarts.max(1) {
        restarts.push(timed_restart(p, &probe).await?);
    }
    memory_rows.push(memory(p, "after restart + 1 call")?);
    let t1 = Instant::now();
    let traffic_requests = scale_seed::traffic(p.http(), &tenants).await?;
    let traffic_s = t1.elapsed().as_secs_f64();
    let stats_after_traffic = runtime_stats(p).await?;
    eprintln!(
        "traffic: {traffic_requests} requests over {} tenants in {traffic_s:.1} s; {stats_after_traffic:?}",
        tenants.len()
    );
    memory_rows.push(memory(p, "after traffic")?);
    // Last: registering portal users hashes passwords (argon2id, 19 MiB each), which would
    // blur the plugin figures above.
    p.seed_bench("bench tenants", BENCH_USERS).await?;
    let mut seq = Vec::new();
    for scenario in ["update_valid_no_plugins", "update_valid"] {
        let scripts = p
            .scripts(scenario, 1)
            .await?
            .with_context(|| format!("no scenario {scenario}"))?;
        seq.push(sequential(args, work, scenario, scripts)?);
    }
    let durations = validator_durations(p).await?;
    memory_rows.push(memory(p, "after sequential updates")?);
    Ok(Figures {
        tenants: args.tenants,
        seed_s,
        policy_upload_ms_p50: percentile(&uploads, 0.5),
        policy_upload_ms_p99: percentile(&uploads, 0.99),
        stats_after_seed,
        data_file_mb,
        memory: memory_rows,
        restarts,
        traffic_requests,
        traffic_s,
        stats_after_traffic,
        sequential: seq,
        validator_invocation_us_p50: percentile(&durations, 0.5),
        validator_invocation_us_p99: percentile(&durations, 0.99),
    })
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
