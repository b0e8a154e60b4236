//! Mail for the black-box tests: a real SMTP server on 127.0.0.1 (`portico-test-smtp`), the
//! `portico serve` options that mail through it, and waiting for mail to arrive.

use std::time::{Duration, Instant};

pub use portico_test_smtp::SmtpServer;
use serde_json::Value;

/// Longest a test waits for mail to arrive.
const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(30);

/// `portico serve` options mailing through `smtp`.
pub fn serve_args(smtp: &SmtpServer) -> Vec<String> {
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &smtp.port.to_string(),
        "--smtp-tls",
        "none",
        "--mail-from",
        "portal@portico.test",
        "--mail-from-name",
        "Portico",
    ]
    .map(str::to_string)
    .to_vec()
}

/// Waits until at least `count` messages arrived at `smtp`; answers them all.
pub async fn arrived(smtp: &SmtpServer, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + ARRIVAL_TIMEOUT;
    loop {
        let received = smtp.received();
        if received.len() >= count {
            return received;
        }
        assert!(
            Instant::now() < deadline,
            "{count} messages expected, {} arrived: {received:?}",
            received.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
