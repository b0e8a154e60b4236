//! Dropping the browser leaves no process behind. Its own test binary: this process becomes the
//! "subreaper" of everything it starts, so that a Chromium process outliving chromedriver would
//! still be found among its descendants instead of escaping to init.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use portico_test_browser::Browser;

/// How long the processes may take to go once the browser is dropped (a kill is immediate; a
/// Chromium closed by chromedriver exits within a second or two).
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn dropping_the_browser_ends_chromedriver_and_chromium() {
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) only changes how orphans of this process are reparented.
    assert_eq!(
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) },
        0
    );

    let browser = Browser::start("dropping_the_browser_ends_chromedriver_and_chromium")
        .await
        .expect("the browser starts");
    browser.goto("data:text/html,<h1>Hello</h1>").await;
    assert_eq!(browser.text("h1").await, "Hello");
    let running = living_descendants();
    assert!(
        running.iter().any(|c| c.contains("chromedriver")),
        "{running:?}"
    );
    assert!(
        running.iter().any(|c| c.contains("--headless")),
        "{running:?}"
    );

    drop(browser);
    let deadline = Instant::now() + EXIT_TIMEOUT;
    loop {
        reap_orphans();
        let left = living_descendants();
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still running: {left:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The command lines of this process's descendants that are not zombies.
fn living_descendants() -> Vec<String> {
    let mut parents = HashMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing ')'.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        parents.insert(pid, (fields[1].parse::<u32>().unwrap(), fields[0] == "Z"));
    }
    let descends = |mut pid: u32| loop {
        match parents.get(&pid) {
            Some((parent, _)) if *parent == std::process::id() => return true,
            Some((parent, _)) if *parent > 1 => pid = *parent,
            _ => return false,
        }
    };
    parents
        .iter()
        .filter(|(pid, (_, zombie))| !zombie && descends(**pid))
        .map(|(pid, _)| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).replace('\0', " ")
        })
        .collect()
}

/// Waits for the processes reparented to this one that have exited.
fn reap_orphans() {
    // SAFETY: waitpid with WNOHANG on any child; no memory is shared.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
}
