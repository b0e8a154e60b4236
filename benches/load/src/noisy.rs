//! `portico-load noisy` (issue 16): the noisy-neighbour benchmark. One release `portico serve`
//! with its default sharing settings and two tenants:
//!
//! - B (`quiet`), seeded as `run` seeds `bench` (the example plugins bound, portal users);
//! - A (`noisy`), the hostile spinner bound as a field validator at the operator's maximum fuel
//!   and deadline (`noisy_load.rs`).
//!
//! B's plain reads (`GET /users/{id}`), sign-ins and validated updates are measured alone (idle),
//! then again while A's callers run the spinner to its limits; the table compares the two and
//! reports how A's own calls ended. A benchmark, not a test: it fails only when it cannot run.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};

use crate::gen::Step;
use crate::noisy_load::{seed_spinner, NoisyLoad, NoisyOutcomes, SpinLimits};
use crate::noisy_report::NoisyResults;
use crate::portico::Portico;
use crate::{measure, Measured, RunArgs};

/// Tenant B's namespace.
pub const QUIET_TENANT: &str = "quiet";

/// B's scenarios, in the order they run: `user_read` is `GET /users/{id}` with B's API key;
/// the others are `run`'s scenarios of the same name.
pub const QUIET_SCENARIOS: &[&str] = &["user_read", "sign_in", "update_valid"];

/// Users listed for `user_read` (one page).
const READ_USERS: usize = 50;

#[derive(clap::Args, Clone)]
pub struct NoisyArgs {
    /// Seconds of measured load per scenario of B, idle and noisy each.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Seconds of unmeasured load of B before each measurement.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// B's workers (one keep-alive connection each).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// A's concurrent callers, each invoking the spinner back to back.
    #[arg(long, default_value_t = 16)]
    pub noisy_callers: usize,
    /// Seconds A's callers run before B is measured, so B meets A's steady state.
    #[arg(long, default_value_t = 3.0)]
    pub noisy_lead: f64,
    /// B's portal users (sign-in cycles over them).
    #[arg(long, default_value_t = 64)]
    pub users: usize,
    /// An argument for `portico serve` (repeat for more), to see what a sharing setting changes,
    /// e.g. `--serve-arg=--tenant-operation-threads=2`. The default is none: the defaults.
    #[arg(long = "serve-arg", allow_hyphen_values = true)]
    pub serve_args: Vec<String>,
    /// Do not build Portico (use --portico-bin as it is).
    #[arg(long)]
    pub no_build: bool,
    /// The portico binary (default: release/portico under CARGO_TARGET_DIR or target/).
    #[arg(long)]
    pub portico_bin: Option<std::path::PathBuf>,
    /// Write the results as JSON here too.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

pub async fn run(args: NoisyArgs) -> Result<()> {
    let root = crate::repo_root();
    let loadavg_before = crate::uptime();
    eprintln!("loadavg before: {loadavg_before}");
    let work = std::env::temp_dir().join(format!("portico-noisy-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    // `measure` and `prepare` read these fields only.
    let run_args = RunArgs {
        duration: args.duration,
        warmup: args.warmup,
        concurrency: vec![args.concurrency],
        scenarios: vec![],
        no_peer: true,
        no_commit_compare: true,
        no_build: args.no_build,
        portico_bin: args.portico_bin.clone(),
        users: args.users,
        out: None,
        profile: None,
        store: crate::StoreKind::Embedded,
    };
    let built = crate::portico::prepare(&root, args.no_build, args.portico_bin.as_deref())?;
    // A private copy: a shared target dir may be rebuilt by someone else during the run.
    let bin = work.join("portico");
    std::fs::copy(&built, &bin)?;
    let serve_args: Vec<&str> = args.serve_args.iter().map(String::as_str).collect();
    let mut p = Portico::start_empty(&bin, &work, "portico", &serve_args).await?;
    let outcome = measure_both(&args, &run_args, &work, &mut p).await;
    p.stop();
    let _ = std::fs::remove_dir_all(&work);
    let (idle, noisy, spin_limits, noisy_outcomes) = outcome?;
    let results = NoisyResults {
        serve_args: args.serve_args.clone(),
        idle,
        noisy,
        noisy_callers: args.noisy_callers,
        spin_limits,
        noisy_outcomes,
        loadavg_before,
        loadavg_after: crate::uptime(),
    };
    eprintln!("loadavg after: {}", results.loadavg_after);
    println!("{}", crate::noisy_report::table(&results));
    if let Some(out) = &args.out {
        std::fs::write(out, serde_json::to_string_pretty(&results)?)?;
    }
    Ok(())
}

/// Seeds both tenants, measures B idle, then B while A runs; answers both and A's outcomes.
async fn measure_both(
    args: &NoisyArgs,
    run_args: &RunArgs,
    work: &Path,
    p: &mut Portico,
) -> Result<(Vec<Measured>, Vec<Measured>, SpinLimits, NoisyOutcomes)> {
    let t0 = std::time::Instant::now();
    p.seed_main(QUIET_TENANT, args.users).await?;
    let spinner = seed_spinner(p.http(), &p.base()).await?;
    eprintln!(
        "seeded in {:.1} s; the spinner runs at fuel {} and deadline {} ms",
        t0.elapsed().as_secs_f64(),
        spinner.limits.fuel,
        spinner.limits.deadline_ms
    );
    let mut idle = Vec::new();
    for scenario in QUIET_SCENARIOS {
        idle.push(measure_quiet(run_args, work, p, scenario, "idle").await?);
    }
    let load = NoisyLoad::start(p.http(), &spinner, args.noisy_callers);
    tokio::time::sleep(Duration::from_secs_f64(args.noisy_lead)).await;
    let mut noisy = Vec::new();
    let mut measured = Ok(());
    for scenario in QUIET_SCENARIOS {
        match measure_quiet(run_args, work, p, scenario, "noisy").await {
            Ok(m) => noisy.push(m),
            Err(e) => {
                measured = Err(e);
                break;
            }
        }
    }
    eprintln!("stopping A's callers (their calls under way finish first)...");
    let outcomes = load.stop().await?;
    measured?;
    Ok((idle, noisy, spinner.limits, outcomes))
}

/// One measurement of B's `scenario` (the generator as its own process), labelled `phase`.
async fn measure_quiet(
    run_args: &RunArgs,
    work: &Path,
    p: &mut Portico,
    scenario: &str,
    phase: &str,
) -> Result<Measured> {
    let c = run_args.concurrency[0];
    let scripts = match scenario {
        "user_read" => user_read_scripts(p, c).await?,
        _ => p
            .scripts(scenario, c)
            .await?
            .with_context(|| format!("no scenario {scenario}"))?,
    };
    let pid = p.pid();
    let (run_args, work, scenario, phase) = (
        run_args.clone(),
        work.to_path_buf(),
        scenario.to_string(),
        phase.to_string(),
    );
    // The generator is waited for on a blocking thread: A's callers keep the runtime's.
    tokio::task::spawn_blocking(move || {
        measure(&run_args, &work, &scenario, &phase, c, pid, scripts)
    })
    .await?
}

/// `GET /users/{id}` of B's users, worker w reading users w, w+c, w+2c...
async fn user_read_scripts(p: &Portico, c: usize) -> Result<Vec<Vec<Step>>> {
    let (base, auth) = p.tenant(true);
    let page = p
        .http()
        .json(
            Method::GET,
            &format!("{base}/users?limit={READ_USERS}"),
            &auth,
            None,
            StatusCode::OK,
        )
        .await?;
    let ids: Vec<String> = page.body["items"]
        .as_array()
        .context("items")?
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect();
    anyhow::ensure!(ids.len() >= c, "B has {} users for {c} readers", ids.len());
    Ok((0..c)
        .map(|w| {
            ids.iter()
                .skip(w)
                .step_by(c)
                .map(|id| Step {
                    method: "GET".into(),
                    url: format!("{base}/users/{id}"),
                    headers: auth.clone(),
                    body: None,
                    expect: vec![200],
                })
                .collect()
        })
        .collect())
}
