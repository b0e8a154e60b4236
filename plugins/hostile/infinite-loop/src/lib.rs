//! Spins without end, to test the instruction budget (fuel) and the
//! wall-clock deadline. With `{"iterations": N}` it stops after N rounds.
//! Exports all three interfaces so every kind of binding can be tested.

use portico_plugin_sdk::prelude::*;
use std::hint::black_box;

include!("../../knob.rs");

/// Counts up to `rounds` (or forever); black_box keeps the loop real.
fn spin(rounds: Option<u64>) -> u64 {
    let limit = rounds.unwrap_or(u64::MAX);
    let mut i = 0u64;
    while black_box(i) < limit {
        i = black_box(i.wrapping_add(1));
    }
    i
}

struct Spinner;

impl FieldValidator for Spinner {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        spin(knob(&fields, "iterations"));
        Vec::new()
    }
}

impl SignupPolicy for Spinner {
    fn decide(_request: SignupRequest) -> Result<Decision, Denial> {
        spin(knob(&[], "iterations"));
        Ok(Decision::allow())
    }
}

impl LifecycleHooks for Spinner {
    fn before_block(_event: HookEvent) -> Result<(), Veto> {
        spin(knob(&[], "iterations"));
        Ok(())
    }
    fn after_grant_access(_event: HookEvent) -> Vec<Effect> {
        spin(knob(&[], "iterations"));
        Vec::new()
    }
}

portico_plugin_sdk::export_field_validator!(Spinner);
portico_plugin_sdk::export_signup_policy!(Spinner);
portico_plugin_sdk::export_lifecycle_hooks!(Spinner);
