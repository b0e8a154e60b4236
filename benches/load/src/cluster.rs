//! `portico-load cluster`: 1 host against N hosts on one PostgreSQL behind haproxy (issue 18).
//!
//! For each host count, a fresh database: host 0 is started and seeded as `run` seeds, the others
//! start on the same database with a copy of its server key, and haproxy balances each request
//! round-robin over them (the 1-host run goes through haproxy too, so both pay the same hop).
//! The generator drives the balancer; the CPU of every host, of haproxy and of PostgreSQL's
//! processes is sampled around each measurement. On a 2-core box more hosts cannot add
//! throughput: the figure to watch is that CPU per request does not grow with the hosts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use portico_test_postgres::Postgres;

use crate::gen::{GenResult, Plan, Step};
use crate::portico::{free_port, Portico};
use crate::{procfs, repo_root};

/// The key file every host of one database must share.
const KEY_FILE: &str = "portico.key";

/// Scenarios the cluster run knows (one write path, one read path).
const CLUSTER_SCENARIOS: &[&str] = &["update_valid", "session_read", "list_users"];

#[derive(clap::Args, Clone)]
pub struct ClusterArgs {
    /// Host counts to measure, each on a fresh database.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1usize, 3])]
    pub hosts: Vec<usize>,
    /// Scenarios (update_valid, session_read, list_users).
    #[arg(long, value_delimiter = ',', default_values_t = vec!["update_valid".to_string(), "session_read".to_string()])]
    pub scenarios: Vec<String>,
    /// Concurrency levels.
    #[arg(long, value_delimiter = ',', default_values_t = vec![64usize])]
    pub concurrency: Vec<usize>,
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
    /// Write every result as JSON here too.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// One measurement through the balancer.
#[derive(Debug, serde::Serialize)]
struct ClusterMeasured {
    hosts: usize,
    #[serde(flatten)]
    gen: GenResult,
    /// Microseconds of CPU per answered request: all hosts together, haproxy, PostgreSQL.
    hosts_cpu_us: f64,
    balancer_cpu_us: f64,
    postgres_cpu_us: f64,
}

pub async fn run(args: ClusterArgs) -> Result<()> {
    for s in &args.scenarios {
        anyhow::ensure!(
            CLUSTER_SCENARIOS.contains(&s.as_str()),
            "unknown scenario {s}; known: {}",
            CLUSTER_SCENARIOS.join(", ")
        );
    }
    let bin = crate::portico::prepare(&repo_root(), args.no_build, args.portico_bin.as_deref())?;
    let work = std::env::temp_dir().join(format!("portico-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let postgres = Postgres::start(&[]);
    let mut results = Vec::new();
    let outcome: Result<()> = async {
        for &n in &args.hosts {
            results.extend(measure_hosts(&args, &bin, &work, &postgres, n).await?);
        }
        Ok(())
    }
    .await;
    drop(postgres);
    let _ = std::fs::remove_dir_all(&work);
    outcome?;
    println!("{}", table(&results));
    if let Some(out) = &args.out {
        std::fs::write(out, serde_json::to_string_pretty(&results)?)?;
    }
    Ok(())
}

/// Starts `n` hosts on a fresh database and the balancer; measures every scenario through it.
async fn measure_hosts(
    args: &ClusterArgs,
    bin: &Path,
    work: &Path,
    postgres: &Postgres,
    n: usize,
) -> Result<Vec<ClusterMeasured>> {
    let url = postgres.create_database(&format!("portico_{n}")).await;
    let database = ["--database", url.as_str()];
    let mut hosts = vec![Portico::start(bin, work, &format!("h{n}_0"), &database, 128).await?];
    for i in 1..n {
        let label = format!("h{n}_{i}");
        let data = work.join(format!("{label}-data"));
        std::fs::create_dir_all(&data)?;
        std::fs::copy(hosts[0].data_dir().join(KEY_FILE), data.join(KEY_FILE))?;
        hosts.push(Portico::start_empty(bin, work, &label, &database).await?);
    }
    let balancer = Balancer::start(work, n, &hosts)?;
    let mut results = Vec::new();
    for scenario in &args.scenarios {
        for &c in &args.concurrency {
            let scripts = hosts[0].scripts(scenario, c).await?.context("no scripts")?;
            let scripts = through(scripts, &hosts[0].base(), &balancer.base);
            let m = measure(args, work, scenario, n, c, &hosts, balancer.pid(), scripts)?;
            eprintln!(
                "{n} host(s) {scenario:<14} c={c:<3} {:>6.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}  CPU us/req: hosts {:.0}, haproxy {:.0}, postgres {:.0}",
                m.gen.rps, m.gen.p50_ms, m.gen.p99_ms, m.gen.errors, m.hosts_cpu_us, m.balancer_cpu_us, m.postgres_cpu_us
            );
            results.push(m);
        }
    }
    for host in &mut hosts {
        host.stop();
    }
    Ok(results)
}

/// The same requests sent to the balancer instead of host 0.
fn through(scripts: Vec<Vec<Step>>, host: &str, balancer: &str) -> Vec<Vec<Step>> {
    let mut scripts = scripts;
    for step in scripts.iter_mut().flatten() {
        if let Some(path) = step.url.strip_prefix(host) {
            step.url = format!("{balancer}{path}");
        }
    }
    scripts
}

#[allow(clippy::too_many_arguments)]
fn measure(
    args: &ClusterArgs,
    work: &Path,
    scenario: &str,
    n: usize,
    concurrency: usize,
    hosts: &[Portico],
    balancer: u32,
    scripts: Vec<Vec<Step>>,
) -> Result<ClusterMeasured> {
    let plan = Plan {
        scenario: scenario.into(),
        target: format!("{n}_hosts"),
        concurrency,
        duration_s: args.duration,
        warmup_s: args.warmup,
        scripts,
    };
    let plan_path = work.join(format!("plan-{n}-{scenario}-{concurrency}.json"));
    std::fs::write(&plan_path, serde_json::to_vec(&plan)?)?;
    let pids: Vec<u32> = hosts.iter().map(Portico::pid).collect();
    let before = CpuSample::take(&pids, balancer)?;
    let t0 = Instant::now();
    let out = Command::new(std::env::current_exe()?)
        .args(["gen", "--plan"])
        .arg(&plan_path)
        .output()
        .context("spawn the load generator")?;
    let wall = t0.elapsed().as_secs_f64();
    let after = CpuSample::take(&pids, balancer)?;
    anyhow::ensure!(
        out.status.success(),
        "generator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gen: GenResult = serde_json::from_slice(&out.stdout)?;
    // CPU seconds over the whole wall time (warm-up included) per request of the measured part,
    // scaled by the measured share of the wall time.
    let requests = gen.rps * wall;
    let per_request = |a: f64, b: f64| (b - a) / requests.max(1.0) * 1e6;
    Ok(ClusterMeasured {
        hosts: n,
        hosts_cpu_us: per_request(before.hosts, after.hosts),
        balancer_cpu_us: per_request(before.balancer, after.balancer),
        postgres_cpu_us: per_request(before.postgres, after.postgres),
        gen,
    })
}

/// CPU seconds so far of the hosts (summed), haproxy and every PostgreSQL process.
struct CpuSample {
    hosts: f64,
    balancer: f64,
    postgres: f64,
}

impl CpuSample {
    fn take(hosts: &[u32], balancer: u32) -> Result<CpuSample> {
        let mut sum = 0.0;
        for &pid in hosts {
            sum += procfs::cpu_seconds(pid)?;
        }
        Ok(CpuSample {
            hosts: sum,
            balancer: procfs::cpu_seconds(balancer)?,
            postgres: procfs::cpu_seconds_of_command("postgres"),
        })
    }
}

fn table(results: &[ClusterMeasured]) -> String {
    let mut s = String::from(
        "| scenario | c | hosts | req/s | p50 ms | p99 ms | errors | CPU us/req hosts | haproxy | PostgreSQL |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for m in results {
        s.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {:.0} | {:.0} |\n",
            m.gen.scenario,
            m.gen.concurrency,
            m.hosts,
            m.gen.rps,
            m.gen.p50_ms,
            m.gen.p99_ms,
            m.gen.errors,
            m.hosts_cpu_us,
            m.balancer_cpu_us,
            m.postgres_cpu_us
        ));
    }
    s
}

/// haproxy in the foreground, round-robin per request over the hosts.
struct Balancer {
    child: Child,
    base: String,
}

impl Balancer {
    fn start(work: &Path, n: usize, hosts: &[Portico]) -> Result<Balancer> {
        let port = free_port()?;
        let mut config = format!(
            "global\n    maxconn 4096\ndefaults\n    mode http\n    timeout connect 1s\n    \
             timeout client 60s\n    timeout server 60s\nfrontend portico\n    bind 127.0.0.1:{port}\n    \
             default_backend hosts\nbackend hosts\n    balance roundrobin\n"
        );
        for (i, host) in hosts.iter().enumerate() {
            let address = host.base().trim_start_matches("http://").to_string();
            config.push_str(&format!("    server host{i} {address}\n"));
        }
        let path = work.join(format!("haproxy-{n}.cfg"));
        std::fs::write(&path, config)?;
        let child = Command::new(if Path::new("/usr/sbin/haproxy").exists() {
            "/usr/sbin/haproxy"
        } else {
            "haproxy"
        })
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("start haproxy (Debian's haproxy package)")?;
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "haproxy did not listen");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(Balancer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
