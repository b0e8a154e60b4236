//! What a server process spent, from /proc (Linux).

use anyhow::{Context, Result};

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// User + system CPU seconds of `pid` so far (utime + stime of /proc/PID/stat).
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("process {pid} is gone"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    let rest = &stat[stat.rfind(')').context("stat format")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields[11].parse()?;
    let stime: f64 = fields[12].parse()?;
    Ok((utime + stime) / clock_ticks())
}

/// User + system CPU seconds so far of every process whose command is `command` (e.g. all of
/// PostgreSQL's backends); processes gone since are not counted.
pub fn cpu_seconds_of_command(command: &str) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let wanted = format!("({command})");
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| stat.split_whitespace().nth(1) == Some(wanted.as_str()))
        })
        .filter_map(|pid| cpu_seconds(pid).ok())
        .sum()
}

/// Peak resident set size (VmHWM) in kB.
pub fn peak_rss_kb(pid: u32) -> Result<u64> {
    status_kb(pid, "VmHWM:")
}

/// Resident set size now (VmRSS) in kB.
pub fn rss_kb(pid: u32) -> Result<u64> {
    status_kb(pid, "VmRSS:")
}

fn status_kb(pid: u32, key: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .with_context(|| format!("no {key}"))?;
    Ok(line.split_whitespace().nth(1).context("value")?.parse()?)
}

/// Resets the peak RSS so the next reading is this scenario's (needs the process to be ours).
pub fn reset_peak_rss(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// Resident memory of a process by kind, from /proc/PID/smaps (kB).
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Breakdown {
    /// Anonymous executable mappings: compiled plugin code (one per loaded version).
    pub code_kb: u64,
    pub code_mappings: u64,
    /// Other anonymous memory: the heap (malloc arenas), the rest of the loaded artifacts,
    /// redb's page cache, thread stacks.
    pub anon_kb: u64,
    /// File-backed pages: the binary and libraries.
    pub file_kb: u64,
}

pub fn breakdown(pid: u32) -> Result<Breakdown> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps"))?;
    let mut b = Breakdown::default();
    let (mut exec, mut anon) = (false, true);
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let first = parts.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            // A mapping header: range perms offset dev inode [path].
            let perms = parts.next().unwrap_or("");
            let path = parts.nth(3);
            exec = perms.contains('x');
            anon = path.is_none_or(|p| p.starts_with('[') && p != "[vdso]");
        } else if first == "Rss:" {
            let kb: u64 = parts.next().unwrap_or("0").parse().unwrap_or(0);
            match (anon, exec) {
                (true, true) => {
                    b.code_kb += kb;
                    b.code_mappings += 1;
                }
                (true, false) => b.anon_kb += kb,
                (false, _) => b.file_kb += kb,
            }
        }
    }
    Ok(b)
}
