//! Writes 64 KiB (16 times the default 4 KiB log cap) through the host's
//! `log`, and as much to stdout and to stderr, then returns no violations:
//! tests the cap on captured log bytes. With `{"bytes": N}` it writes about N
//! bytes to each.

use portico_plugin_sdk::prelude::*;
use std::io::Write;

include!("../../knob.rs");

const DEFAULT_BYTES: u64 = 64 << 10;
const LINE_BYTES: usize = 1024;

struct Chatter;

impl FieldValidator for Chatter {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let bytes = knob(&fields, "bytes").unwrap_or(DEFAULT_BYTES) as usize;
        let line = "y".repeat(LINE_BYTES - 1);
        for _ in 0..bytes.div_ceil(LINE_BYTES) {
            portico_plugin_sdk::log::info(&line);
            // Errors are ignored on purpose: the host may close the streams at its cap.
            let _ = writeln!(std::io::stdout(), "{line}");
            let _ = writeln!(std::io::stderr(), "{line}");
        }
        Vec::new()
    }
}

portico_plugin_sdk::export_field_validator!(Chatter);
