//! Recurses without end, to test that a stack overflow traps cleanly. With
//! `{"depth": N}` it stops at N frames and returns no violations.

use portico_plugin_sdk::prelude::*;
use std::hint::black_box;

include!("../../knob.rs");

/// Not a tail call (the result is used after the call), so every level keeps a frame.
#[inline(never)]
fn dive(depth: u64, limit: u64) -> u64 {
    if depth >= limit {
        return depth;
    }
    let pad = black_box([depth as u8; 64]);
    dive(depth + 1, limit) + u64::from(pad[depth as usize % 64])
}

struct Diver;

impl FieldValidator for Diver {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let limit = knob(&fields, "depth").unwrap_or(u64::MAX);
        black_box(dive(0, black_box(limit)));
        Vec::new()
    }
}

portico_plugin_sdk::export_field_validator!(Diver);
