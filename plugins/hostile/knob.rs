// Shared by the hostile plugins (`include!`d): a numeric knob that turns a
// hostile plugin into a well-behaved one for the "inside the limit" half of a
// limit test. Read from the binding's settings first, then from the first
// field's settings; `None` means "misbehave without end".
fn knob(fields: &[portico_plugin_sdk::types::Field], key: &str) -> Option<u64> {
    let from_binding = portico_plugin_sdk::settings::binding_json()[key].as_u64();
    from_binding.or_else(|| {
        let first = fields.first()?;
        let settings: portico_plugin_sdk::serde_json::Value = portico_plugin_sdk::serde_json::from_str(&first.settings).ok()?;
        settings[key].as_u64()
    })
}
