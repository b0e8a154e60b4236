//! Settings arrive as JSON text: the binding's settings from the host, and
//! per-field validator settings in each `Field`. These helpers parse them.

use serde::de::DeserializeOwned;
use std::fmt;

/// Settings JSON that could not be read into the plugin's settings type.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsError {
    /// What was being read, e.g. `binding settings` or `settings of field "age"`.
    pub context: String,
    /// The JSON parser's explanation.
    pub reason: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.context, self.reason)
    }
}

impl std::error::Error for SettingsError {}

/// Parses settings JSON into `T`; empty text counts as `{}`.
pub fn parse<T: DeserializeOwned>(json: &str, context: &str) -> Result<T, SettingsError> {
    let json = if json.trim().is_empty() { "{}" } else { json };
    serde_json::from_str(json).map_err(|e| SettingsError {
        context: context.to_string(),
        reason: e.to_string(),
    })
}

/// The binding's settings (from the host), parsed into `T`.
pub fn binding<T: DeserializeOwned>() -> Result<T, SettingsError> {
    parse(&crate::host::settings(), "binding settings")
}

/// The binding's settings as a JSON value (`{}` when they do not parse).
pub fn binding_json() -> serde_json::Value {
    binding().unwrap_or_else(|_| serde_json::json!({}))
}

/// One top-level key of the binding's settings (strings come without quotes).
pub fn get(key: &str) -> Option<String> {
    crate::host::setting(key)
}
