//! Panics on every call (the guest traps after writing the panic message to
//! stderr), to test that a trap is reported and the next call still works.

use portico_plugin_sdk::prelude::*;

struct Panicker;

impl FieldValidator for Panicker {
    fn validate(fields: Vec<Field>) -> Vec<Violation> {
        panic!(
            "hostile plugin panicked on purpose ({} fields)",
            fields.len()
        );
    }
}

impl SignupPolicy for Panicker {
    fn decide(request: SignupRequest) -> Result<Decision, Denial> {
        panic!(
            "hostile plugin panicked on purpose (profile {})",
            request.profile_id
        );
    }
}

portico_plugin_sdk::export_field_validator!(Panicker);
portico_plugin_sdk::export_signup_policy!(Panicker);
