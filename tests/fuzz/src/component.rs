//! Targets: the upload check of a plugin component (`check_component`), which reads untrusted
//! bytes with wasmparser and compares the component's types with the WIT interfaces before
//! anything is compiled.
//!
//! `component_check` takes the input as the upload itself (its corpus starts from the example
//! plugins); `component_edits` applies the input as byte edits to a real component that passes
//! the check, so that even random inputs reach the type comparison. Property: no panic, and an
//! accepted component names at least one interface.

use portico_wasm_runtime::check_component;

/// A component that passes the check: the 0.1.0 signup policy of `plugins/compat/`.
const SEED: &[u8] = include_bytes!("../seeds/signup_policy_0_1.wasm");

/// The most edits one input applies.
const MAX_EDITS: usize = 64;

/// Checks one upload.
pub fn check(bytes: &[u8]) {
    if let Ok(found) = check_component(bytes) {
        assert!(
            !found.is_empty(),
            "an accepted component exports an interface"
        );
    }
}

/// Checks the seed component after the input's edits: each 4 bytes are a position (2 bytes,
/// within the component), an operation and an operand byte.
pub fn check_edits(edits: &[u8]) {
    let mut bytes = SEED.to_vec();
    for edit in edits.chunks_exact(4).take(MAX_EDITS) {
        apply(&mut bytes, edit);
    }
    check(&bytes);
}

/// Applies one edit: overwrite, insert, remove, or flip one bit of a byte.
fn apply(bytes: &mut Vec<u8>, edit: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) * 7 % bytes.len();
    let operand = edit[3];
    match edit[2] % 4 {
        0 => bytes[at] = operand,
        1 => bytes.insert(at, operand),
        2 => {
            bytes.remove(at);
        }
        _ => bytes[at] ^= 1 << (operand % 8),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn the_seed_passes_the_check() {
        assert!(!portico_wasm_runtime::check_component(super::SEED)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn component_check() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| super::check(bytes));
    }

    #[test]
    fn component_edits() {
        bolero::check!()
            .with_test_time(Duration::from_secs(3))
            .for_each(|bytes: &[u8]| super::check_edits(bytes));
    }
}
