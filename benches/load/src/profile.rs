//! `portico-load run --profile DIR`: a CPU profile of the server during each of its Portico
//! measurements, as `perf` data and as a flamegraph (SVG).
//!
//! `perf record` attaches to the server once the generator's warm-up is over and samples it for
//! the measured seconds with DWARF call graphs (Portico is built without frame pointers); the
//! samples are then folded and drawn by inferno (`cargo install inferno`); resolving inlined
//! frames makes `perf script` take a few minutes per graph. Both tools are found on
//! the `PATH`; neither is needed for anything else. The sampling costs the server some CPU, so a
//! profiled run's req/s is not one to compare against unprofiled runs.
//!
//! Plugin (guest) code is compiled at run time and has no symbols: `perf` cannot unwind through
//! it, so its samples stand as one frame, `[perf-PID.map]`, right under the thread that ran
//! them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};

/// Samples per second and thread. 999 rather than 1000 so that sampling does not fall in step
/// with the 1 ms epoch tick of the plugin runtime.
const SAMPLE_HZ: u32 = 999;

/// Bytes of each sampled thread's stack copied for DWARF unwinding. The async handler stacks
/// (tokio, hyper, axum and the domain under them) are deep: with 16 KiB, 15% of a validated
/// update's samples lost their roots.
const STACK_DUMP_BYTES: u32 = 32_768;

/// Frames below this share of the samples are left out of the graph: about 0.2 us of a
/// request's 200 us, and it keeps the SVG near 1 MB instead of 4.
const MIN_FRAME_PERCENT: f64 = 0.1;

/// Where one measurement's profile goes.
pub struct Profile {
    data: PathBuf,
    svg: PathBuf,
    title: String,
}

/// Checks that `perf` and inferno are on the `PATH` before any server is started.
pub fn check_tools() -> Result<()> {
    for (tool, hint) in [
        ("perf", "install it (Debian: apt-get install linux-perf)"),
        ("inferno-collapse-perf", "cargo install inferno"),
        ("inferno-flamegraph", "cargo install inferno"),
    ] {
        let found = Command::new(tool)
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        anyhow::ensure!(found, "--profile needs `{tool}`: {hint}");
    }
    Ok(())
}

impl Profile {
    pub fn new(dir: &Path, scenario: &str, target: &str, concurrency: usize) -> Profile {
        let stem = format!("{scenario}-{target}-c{concurrency}");
        Profile {
            data: dir.join(format!("{stem}.perf.data")),
            svg: dir.join(format!("{stem}.svg")),
            title: format!("{target}: {scenario} at concurrency {concurrency}"),
        }
    }

    /// Waits `delay`, then samples `pid` for `seconds` on a thread of its own; `finish` waits for
    /// it and draws the graph.
    pub fn start(&self, pid: u32, delay: Duration, seconds: f64) -> Recording {
        let data = self.data.clone();
        let handle = std::thread::spawn(move || -> Result<()> {
            std::thread::sleep(delay);
            let status = Command::new("perf")
                .args(["record", "--quiet", "-F", &SAMPLE_HZ.to_string()])
                .arg(format!("--call-graph=dwarf,{STACK_DUMP_BYTES}"))
                .args(["-p", &pid.to_string(), "-o"])
                .arg(&data)
                .args(["--", "sleep", &format!("{seconds:.1}")])
                .stdout(Stdio::null())
                .status()
                .context("run perf record")?;
            anyhow::ensure!(status.success(), "perf record failed: {status}");
            Ok(())
        });
        Recording { handle }
    }

    /// Folds the recorded stacks and writes the flamegraph next to the data.
    pub fn draw(&self) -> Result<PathBuf> {
        let mut script = Command::new("perf")
            .args(["script", "-i"])
            .arg(&self.data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("run perf script")?;
        let mut collapse = Command::new("inferno-collapse-perf")
            .stdin(script.stdout.take().context("perf script output")?)
            .stdout(Stdio::piped())
            .spawn()
            .context("run inferno-collapse-perf")?;
        let svg = std::fs::File::create(&self.svg)
            .with_context(|| format!("create {}", self.svg.display()))?;
        let drawn = Command::new("inferno-flamegraph")
            .args([
                "--title",
                &self.title,
                "--colors",
                "rust",
                "--deterministic",
            ])
            .args(["--minwidth", &MIN_FRAME_PERCENT.to_string()])
            .stdin(collapse.stdout.take().context("folded stacks")?)
            .stdout(svg)
            .status()
            .context("run inferno-flamegraph")?;
        wait_ok(&mut script, "perf script")?;
        wait_ok(&mut collapse, "inferno-collapse-perf")?;
        anyhow::ensure!(drawn.success(), "inferno-flamegraph failed: {drawn}");
        Ok(self.svg.clone())
    }
}

fn wait_ok(child: &mut Child, name: &str) -> Result<()> {
    let status = child.wait().with_context(|| format!("wait for {name}"))?;
    anyhow::ensure!(status.success(), "{name} failed: {status}");
    Ok(())
}

/// A `perf record` running beside a measurement.
pub struct Recording {
    handle: std::thread::JoinHandle<Result<()>>,
}

impl Recording {
    pub fn finish(self) -> Result<()> {
        self.handle
            .join()
            .map_err(|_| anyhow::anyhow!("the perf thread panicked"))?
    }
}
