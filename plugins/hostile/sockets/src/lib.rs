//! Opens a TCP connection, so the component imports `wasi:sockets/*`, which
//! Portico does not provide: the upload must be refused, naming the import.

use portico_plugin_sdk::prelude::*;
use std::net::TcpStream;

struct Dialer;

impl FieldValidator for Dialer {
    fn validate(_fields: Vec<Field>) -> Vec<Violation> {
        match TcpStream::connect("127.0.0.1:9") {
            Ok(_) => Vec::new(),
            Err(e) => vec![Violation::new("network", "connect_failed", e.to_string())],
        }
    }
}

portico_plugin_sdk::export_field_validator!(Dialer);
