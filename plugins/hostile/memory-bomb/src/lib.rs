//! Grows linear memory without end, 1 MiB at a time, touching every page,
//! to test the memory limit. With `{"megabytes": N}` it stops after N MiB and
//! returns no violations.

use portico_plugin_sdk::prelude::*;
use std::hint::black_box;

include!("../../knob.rs");

const MIB: usize = 1 << 20;

struct Bomb;

impl FieldValidator for Bomb {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let limit = knob(&fields, "megabytes").unwrap_or(u64::MAX);
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        while (hoard.len() as u64) < limit {
            // A non-zero fill writes every byte, so the pages are really used.
            hoard.push(black_box(vec![0xA5; MIB]));
        }
        black_box(&hoard);
        Vec::new()
    }
}

portico_plugin_sdk::export_field_validator!(Bomb);
