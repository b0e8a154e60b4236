//! Returns about 16 MiB of violations (1 KiB messages), to test the output
//! size limit. With `{"bytes": N}` it returns about N bytes of messages.

use portico_plugin_sdk::prelude::*;

include!("../../knob.rs");

const DEFAULT_BYTES: u64 = 16 << 20;
const MESSAGE_BYTES: usize = 1024;

struct Flood;

impl FieldValidator for Flood {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let bytes = knob(&fields, "bytes").unwrap_or(DEFAULT_BYTES) as usize;
        let message = "x".repeat(MESSAGE_BYTES);
        let count = bytes.div_ceil(MESSAGE_BYTES);
        (0..count).map(|i| Violation::new(format!("field-{i}"), "huge", message.clone())).collect()
    }
}

portico_plugin_sdk::export_field_validator!(Flood);
