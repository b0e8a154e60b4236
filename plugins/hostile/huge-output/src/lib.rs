//! Returns 4 MiB of violations (4 KiB messages), to test the output size
//! limit (1 MiB by default). Not more: wasmtime charges one unit of fuel per
//! byte a guest fills or copies, so 16 MiB would exhaust the default fuel
//! budget (10 M) before the output ever reached the host; 4 MiB costs about
//! 5 M. With `{"bytes": N}` it returns about N bytes of messages.

use portico_plugin_sdk::prelude::*;

include!("../../knob.rs");

const DEFAULT_BYTES: u64 = 4 << 20;
const MESSAGE_BYTES: usize = 4096;

struct Flood;

impl FieldValidator for Flood {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let bytes = knob(&fields, "bytes").unwrap_or(DEFAULT_BYTES) as usize;
        let count = bytes.div_ceil(MESSAGE_BYTES);
        (0..count)
            .map(|_| {
                // `repeat` doubles with memory.copy (about one fuel unit per byte);
                // String::from_utf8 would cost three more per byte to validate.
                let message = "x".repeat(MESSAGE_BYTES);
                Violation {
                    marker: "huge".into(),
                    code: "huge".into(),
                    message,
                }
            })
            .collect()
    }
}

portico_plugin_sdk::export_field_validator!(Flood);
