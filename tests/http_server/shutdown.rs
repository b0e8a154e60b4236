//! A shutdown lets open requests finish for a bounded time, then exits anyway.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::Portico;

#[test]
fn sigterm_exits_after_the_drain_limit_while_a_client_holds_a_half_sent_request() {
    let mut server = Portico::start(
        &[
            "--shutdown-drain-secs",
            "1",
            "--header-read-timeout-secs",
            "3600",
            "--body-read-timeout-secs",
            "3600",
        ],
        "warn",
        None,
    );
    let mut head = TcpStream::connect(server.addr).unwrap();
    head.write_all(b"GET /v1/health HTTP/1.1\r\nHost: por")
        .unwrap();
    let mut body = TcpStream::connect(server.addr).unwrap();
    body.write_all(
        b"POST /v1/tenants HTTP/1.1\r\nHost: portico\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"na",
    )
    .unwrap();
    // A whole request on a third connection is answered only once the accept loop has taken
    // the two before it (connections are accepted in order): no head start to sleep for.
    let mut probe = TcpStream::connect(server.addr).unwrap();
    probe
        .write_all(b"GET /v1/health HTTP/1.1\r\nHost: portico\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    probe.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.terminate();
    let status = server
        .exit_within(Duration::from_secs(30))
        .expect("still running 30 s after SIGTERM");
    assert!(status.success(), "{status:?}");
}
