//! Target: the host's reading of a plugin's answer from guest memory (`wasm-runtime`'s bounded
//! lift, `output.rs`). The guest `plugins/hostile/chosen-answer.wat` decodes the input into its
//! memory from address 0 and answers a list of violations laid out there, so every pointer and
//! length the host follows is the input's. Property: no panic; the call ends `ok`, `denied`
//! (the violations read) or `bad_output` (an answer out of bounds, not UTF-8 or past the output
//! limit), never a trap; a read answer fits the output limit.

use std::sync::{Arc, OnceLock};

use portico_wasm_runtime::{
    Call, CallInput, Interface, Limits, NoLookups, Outcome, Report, Runtime,
};
use serde_json::json;

/// Most input bytes one call decodes (the guest's cap).
const MAX_INPUT: usize = 64 << 10;

/// The runtime with the guest compiled in, and the guest's sha256.
fn guest() -> &'static (Runtime, String) {
    static GUEST: OnceLock<(Runtime, String)> = OnceLock::new();
    GUEST.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../plugins/hostile/chosen-answer.wat"
        );
        let bytes = wat::parse_file(path).expect("compile the WAT guest");
        let runtime = Runtime::new().expect("a runtime");
        let prepared = runtime
            .prepare(&bytes, Limits::default().component_bytes)
            .expect("the guest passes the upload check");
        (runtime, prepared.sha256)
    })
}

/// Answers `bytes` (the answer's memory from address 0) through the guest.
pub fn check(bytes: &[u8]) -> Report {
    let bytes = &bytes[..bytes.len().min(MAX_INPUT)];
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let (runtime, sha256) = guest();
    let limits = Limits::default();
    let input = json!({"fields": [
        {"marker": hex, "type": "string", "value": "x", "settings": {}}
    ]});
    let call = Call {
        interface: Interface::FieldValidator,
        input: CallInput::Json(input),
        settings: "{}".into(),
        limits,
        lookups: Arc::new(NoLookups),
    };
    let report = runtime.invoke(sha256, call).expect("the call runs");
    assert!(
        matches!(
            report.outcome,
            Outcome::Ok | Outcome::Denied | Outcome::BadOutput
        ),
        "{:?}: {:?}",
        report.outcome,
        report.error
    );
    if let Some(result) = &report.result {
        let size = result.to_string().len() as u64;
        assert!(size <= limits.output_bytes, "{size} bytes answered");
    }
    report
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    /// An answer of one violation laid out by hand is read whole.
    #[test]
    fn a_laid_out_answer_is_read() {
        let mut memory = vec![0u8; 64];
        let put = |memory: &mut Vec<u8>, at: usize, value: u32| {
            memory[at..at + 4].copy_from_slice(&value.to_le_bytes());
        };
        // The list: 1 violation at 8; its three strings (pointer, length) point at 32.
        put(&mut memory, 0, 8);
        put(&mut memory, 4, 1);
        for (field, len) in [(8, 4), (16, 3), (24, 6)] {
            put(&mut memory, field, 32);
            put(&mut memory, field + 4, len);
        }
        memory[32..38].copy_from_slice(b"age ok");
        let report = super::check(&memory);
        assert_eq!(report.outcome, super::Outcome::Denied, "{:?}", report.error);
        assert_eq!(
            report.result.unwrap(),
            serde_json::json!({"violations": [{"marker": "age ", "code": "age", "message": "age ok"}]})
        );
    }

    /// A list that runs past the guest's memory is refused as `bad_output`.
    #[test]
    fn an_answer_out_of_bounds_is_bad_output() {
        let mut memory = vec![0u8; 8];
        memory[..4].copy_from_slice(&0xffff_0000u32.to_le_bytes());
        memory[4..].copy_from_slice(&2u32.to_le_bytes());
        let report = super::check(&memory);
        assert_eq!(report.outcome, super::Outcome::BadOutput);
    }

    #[test]
    fn answer_lift() {
        bolero::check!()
            .with_test_time(Duration::from_secs(2))
            .for_each(|bytes: &[u8]| {
                super::check(bytes);
            });
    }
}
