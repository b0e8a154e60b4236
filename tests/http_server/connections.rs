//! Connections are bounded: in number (in all and per client address) and in how long a client
//! may take to send a request. Raw sockets, since an HTTP client never sends half a request.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::Portico;
use crate::support::OPERATOR_TOKEN;

/// Longest a test waits for the server to close a connection (its timeouts here are 1 s).
const PATIENCE: Duration = Duration::from_secs(20);

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes the connection; panics if it is still open after `PATIENCE`.
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "the server kept the connection open ({e}); received: {}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

fn health_request(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /v1/health HTTP/1.1\r\nHost: portico\r\nConnection: close\r\n\r\n")
        .unwrap();
}

#[test]
fn a_half_sent_head_and_an_idle_connection_are_closed_after_the_header_timeout() {
    let server = Portico::start(&["--header-read-timeout-secs", "1"], "warn", None);
    let mut half = connect(server.addr);
    half.write_all(b"GET /v1/health HTTP/1.1\r\nHost: por")
        .unwrap();
    read_until_closed(&mut half);

    // Keep-alive: answered, then closed once idle for the timeout.
    let mut idle = connect(server.addr);
    idle.write_all(b"GET /v1/health HTTP/1.1\r\nHost: portico\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut idle);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A whole request in time is served.
    let mut whole = connect(server.addr);
    health_request(&mut whole);
    assert!(read_until_closed(&mut whole).starts_with("HTTP/1.1 200"));
}

#[test]
fn a_half_sent_body_is_answered_408_and_closed_after_the_body_timeout() {
    let server = Portico::start(&["--body-read-timeout-secs", "1"], "warn", None);
    let mut stream = connect(server.addr);
    let head = format!(
        "POST /v1/tenants HTTP/1.1\r\nHost: portico\r\nAuthorization: Bearer {OPERATOR_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"namesp"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"body_timeout\""), "{answer}");

    // A whole body in time is read.
    let mut stream = connect(server.addr);
    let body = r#"{"namespace": "acme"}"#;
    let request = format!(
        "POST /v1/tenants HTTP/1.1\r\nHost: portico\r\nAuthorization: Bearer {OPERATOR_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

#[test]
fn past_the_connections_of_one_address_a_connection_is_answered_503() {
    let server = Portico::start(&["--max-connections-per-address", "2"], "warn", None);
    let first = connect(server.addr);
    let _second = connect(server.addr);
    let mut third = connect(server.addr);
    health_request(&mut third);
    let answer = read_until_closed(&mut third);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"too_many_connections\""), "{answer}");

    // Once one closes, the address may open another.
    drop(first);
    let start = Instant::now();
    loop {
        let mut next = connect(server.addr);
        health_request(&mut next);
        let answer = read_until_closed(&mut next);
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "still refused: {answer}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn past_the_open_connections_a_connection_waits_until_one_closes() {
    let server = Portico::start(&["--max-connections", "2"], "warn", None);
    let first = connect(server.addr);
    let _second = connect(server.addr);
    let mut third = connect(server.addr);
    health_request(&mut third);
    // Not accepted while two are open: no answer.
    third
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let mut buf = [0u8; 64];
    let waiting = third.read(&mut buf);
    assert!(
        matches!(&waiting, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "answered past the cap: {waiting:?}"
    );
    drop(first);
    third.set_read_timeout(Some(PATIENCE)).unwrap();
    let answer = read_until_closed(&mut third);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
