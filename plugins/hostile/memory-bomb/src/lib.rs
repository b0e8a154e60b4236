//! Grows linear memory without end, 1 MiB (16 pages) at a time, to test the
//! memory limit. It grows memory directly and touches one byte per page:
//! filling the pages would cost a unit of fuel per byte, and the fuel budget
//! would then end the call before the memory limit does. With
//! `{"megabytes": N}` it stops after N MiB and returns no violations.

use portico_plugin_sdk::prelude::*;
use std::hint::black_box;

include!("../../knob.rs");

const PAGE: usize = 64 * 1024;
const PAGES_PER_MIB: usize = 16;

/// Grows memory by 1 MiB and writes to each new page; panics (traps) if refused.
#[cfg(target_arch = "wasm32")]
fn grow_one_mib() {
    let old_pages = core::arch::wasm32::memory_grow(0, PAGES_PER_MIB);
    if old_pages == usize::MAX {
        panic!(
            "memory.grow refused after {} bytes",
            core::arch::wasm32::memory_size(0) * PAGE
        );
    }
    for page in old_pages..old_pages + PAGES_PER_MIB {
        // SAFETY: the page was just added to linear memory; nothing else uses it.
        unsafe { core::ptr::write_volatile((page * PAGE) as *mut u8, 0xA5) };
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn grow_one_mib() {
    black_box(vec![0xA5u8; PAGE * PAGES_PER_MIB]);
}

struct Bomb;

impl FieldValidator for Bomb {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        let limit = knob(&fields, "megabytes").unwrap_or(u64::MAX);
        let mut grown = 0u64;
        while black_box(grown) < limit {
            grow_one_mib();
            grown += 1;
        }
        Vec::new()
    }
}

portico_plugin_sdk::export_field_validator!(Bomb);
