//! The server's log writer: lines gathered in memory and written to stderr in batches, by the
//! request thread that fills the batch or by a flusher thread every `FLUSH_INTERVAL`.
//!
//! Writing each line as it comes costs a `write` per request (the access line); handing each to
//! a writer thread (`tracing-appender`) costs a thread wake-up per line instead. Both measured
//! 5-8% of a validated update's CPU on the load benchmark. Here a line costs a short lock and a
//! copy; the disk sees one write per `FLUSH_BYTES` or per interval. A line reaches stderr at most
//! `FLUSH_INTERVAL` after it was logged; the batch is written when the writer is dropped at exit.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// Bytes gathered before the line that reaches them writes the batch out.
const FLUSH_BYTES: usize = 64 * 1024;

/// Longest a line waits in the batch.
const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Lines waiting to be written.
#[derive(Default)]
struct Batch {
    lines: Mutex<Vec<u8>>,
    stopping: AtomicBool,
}

impl Batch {
    /// Adds `line`; answers the batch to write when it has grown past `FLUSH_BYTES`.
    fn push(&self, line: &[u8]) -> Option<Vec<u8>> {
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines.extend_from_slice(line);
        (lines.len() >= FLUSH_BYTES).then(|| fresh(&mut lines))
    }

    /// Writes out what is gathered.
    fn flush(&self) {
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.is_empty() {
            return;
        }
        let full = fresh(&mut lines);
        drop(lines);
        write_out(&full);
    }
}

/// Takes the gathered lines, leaving room for a whole batch (so lines are not copied again as
/// the buffer grows).
fn fresh(lines: &mut Vec<u8>) -> Vec<u8> {
    std::mem::replace(lines, Vec::with_capacity(FLUSH_BYTES))
}

/// Writes `lines` to stderr (a log line that cannot be written is dropped).
fn write_out(lines: &[u8]) {
    if !lines.is_empty() {
        let _ = std::io::stderr().lock().write_all(lines);
    }
}

/// The `MakeWriter` of the server's log; keep the `BatchedStderrGuard` for as long as it logs.
#[derive(Clone)]
pub struct BatchedStderr(Arc<Batch>);

/// Stops the flusher and writes what is left when dropped.
pub struct BatchedStderrGuard {
    batch: Arc<Batch>,
    flusher: Option<JoinHandle<()>>,
}

/// The writer and its guard; starts the flusher thread.
pub fn batched_stderr() -> std::io::Result<(BatchedStderr, BatchedStderrGuard)> {
    let batch = Arc::new(Batch::default());
    let flushed = batch.clone();
    let flusher = std::thread::Builder::new()
        .name("portico-log".into())
        .spawn(move || {
            while !flushed.stopping.load(Ordering::Acquire) {
                std::thread::park_timeout(FLUSH_INTERVAL);
                flushed.flush();
            }
        })?;
    let guard = BatchedStderrGuard {
        batch: batch.clone(),
        flusher: Some(flusher),
    };
    Ok((BatchedStderr(batch), guard))
}

impl Drop for BatchedStderrGuard {
    fn drop(&mut self) {
        self.batch.stopping.store(true, Ordering::Release);
        if let Some(flusher) = self.flusher.take() {
            flusher.thread().unpark();
            let _ = flusher.join();
        }
        self.batch.flush();
    }
}

/// One event's writer (the formatter writes each event whole).
pub struct LineWriter<'a>(&'a Batch);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(full) = self.0.push(buf) {
            write_out(&full);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedStderr {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_handed_out_once_it_reaches_its_size() {
        let batch = Batch::default();
        let line = vec![b'x'; 1000];
        let mut handed = 0;
        for _ in 0..(FLUSH_BYTES / 1000 + 1) {
            if let Some(full) = batch.push(&line) {
                assert!(full.len() >= FLUSH_BYTES);
                handed += 1;
            }
        }
        assert_eq!(handed, 1);
        assert!(batch.lines.lock().unwrap().len() < FLUSH_BYTES);
    }
}
