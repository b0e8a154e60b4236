//! The plugin stage of form validation: the tenant's `field-validator` bindings, grouped so that
//! every plugin is called once per request with all the fields its bindings cover.
//!
//! Binding targets for field validators:
//! - `*`: every field of every form;
//! - `type:<fieldType>`: fields of that type in every form (e.g. `type:dateTime`);
//! - `form:<identifier>`: every field of one form;
//! - `field:<identifier>/<marker>`: one field of one form.
//!
//! A field's settings given to the plugin are the binding's settings overlaid with the form
//! field's own `validators` object (the more specific wins). A field covered by two bindings of
//! one plugin goes to it twice, once with each binding's settings.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::bindings::{bound_version, Binding, FailurePolicy, ANY_TARGET};
use super::registry::{load_version, resolve_plugin, PluginRecord, VersionRecord};
use crate::domain::error::DomainResult;
use crate::domain::forms::{FieldValidators, Form, ParsedField, ParsedFields, Violation};
use crate::domain::tenants::Tenant;
use crate::domain::Plugins;
use crate::fields::{Field, FieldValue};
use crate::plugins::{Answer, CallInput, Interface, Outcome};

/// Field validators backed by the tenant's plugins.
pub struct PluginValidators<'a>(pub &'a Plugins);

/// Whether a binding `target` covers field `marker` of type `field_type` in form `form`.
fn covers(target: &str, form: &str, marker: &str, field_type: &str) -> bool {
    if target == ANY_TARGET {
        return true;
    }
    if let Some(t) = target.strip_prefix("type:") {
        return t == field_type;
    }
    if let Some(f) = target.strip_prefix("form:") {
        return f == form;
    }
    if let Some(rest) = target.strip_prefix("field:") {
        return rest
            .split_once('/')
            .is_some_and(|(f, m)| f == form && m == marker);
    }
    false
}

fn overlay(base: &Value, specific: &Map<String, Value>) -> Value {
    let mut settings = base.as_object().cloned().unwrap_or_default();
    settings.extend(specific.clone());
    Value::Object(settings)
}

/// The fields of one plugin call and the bindings that put them there.
struct PluginCall<'b> {
    /// The plugin and version called (of the first binding that put a field there).
    bound: &'b BoundValidator,
    bindings: Vec<&'b Binding>,
    fields: Vec<Field>,
}

/// An enabled field-validator binding with its plugin and the version it runs.
struct BoundValidator {
    binding: Binding,
    plugin: PluginRecord,
    version: VersionRecord,
    /// The binding's settings as the JSON the plugin gets for a field with none of its own.
    settings_json: String,
    /// The binding has no settings of its own: a field's own settings go to the plugin as they
    /// are (no overlay to build per request).
    settings_empty: bool,
}

/// The tenant's enabled field-validator bindings, resolved; decoded once per configuration
/// change (`Store::config_cached`), not per request.
fn bound_validators(domain: &Plugins, tenant_id: &str) -> DomainResult<Arc<Vec<BoundValidator>>> {
    let key = format!("field-validators/{tenant_id}");
    domain.ctx.store.config_cached(&key, |tx| {
        let mut bound = Vec::new();
        for binding in tx.enabled_plugin_bindings(tenant_id, Interface::FieldValidator)? {
            let plugin = resolve_plugin(tx, tenant_id, &binding.plugin_id)?;
            let version = bound_version(&binding, &plugin)?;
            let version = load_version(tx, tenant_id, &plugin.id, version)?;
            let settings_json = overlay(&binding.settings, &Map::new()).to_string();
            let settings_empty = binding.settings.as_object().is_none_or(Map::is_empty);
            bound.push(BoundValidator {
                binding,
                plugin,
                version,
                settings_json,
                settings_empty,
            });
        }
        Ok(bound)
    })
}

/// One parsed field as the validator takes it, with its typed value (parsed by the native stage).
fn typed_field(
    field: &ParsedField,
    value: &FieldValue,
    settings: String,
    form: &str,
    lang: &str,
) -> Field {
    Field {
        marker: field.marker.clone(),
        field_type: field.field_type,
        value: value.clone(),
        settings,
        form_identifier: Some(form.to_string()),
        lang_code: Some(lang.to_string()),
    }
}

/// The settings a field goes to `bound`'s plugin with: the binding's, overlaid with the form
/// field's own `validators` when it has any.
fn field_settings(bound: &BoundValidator, form: &Form, marker: &str) -> String {
    match form.field(marker) {
        Some(own) if !own.validators.is_empty() => {
            if bound.settings_empty {
                own.validators_json().to_string()
            } else {
                overlay(&bound.binding.settings, &own.validators).to_string()
            }
        }
        _ => bound.settings_json.clone(),
    }
}

/// The plugin calls of a submission, one per plugin and version: every field with a value goes
/// to each binding that covers it, with that binding's settings overlaid by its own.
fn plugin_calls<'b>(
    validators: &'b [BoundValidator],
    form: &Form,
    fields: &ParsedFields,
) -> BTreeMap<(&'b str, u32), PluginCall<'b>> {
    let mut calls: BTreeMap<(&str, u32), PluginCall> = BTreeMap::new();
    for bound in validators {
        let binding = &bound.binding;
        for (lang, field) in fields.iter() {
            let type_name = field.field_type.name();
            let Some(value) = &field.value else { continue };
            if !covers(&binding.target, &form.identifier, &field.marker, type_name) {
                continue;
            }
            let call = calls
                .entry((bound.plugin.id.as_str(), bound.version.version))
                .or_insert_with(|| PluginCall {
                    bound,
                    bindings: Vec::new(),
                    fields: Vec::new(),
                });
            if !call.bindings.iter().any(|b| b.id == binding.id) {
                call.bindings.push(binding);
            }
            let settings = field_settings(bound, form, &field.marker);
            let typed = typed_field(field, value, settings, &form.identifier, lang);
            call.fields.push(typed);
        }
    }
    calls
}

/// A `validator_failed` violation with `message` for each of `markers`, once per marker.
fn validator_failed(markers: Vec<String>, message: String) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut seen = Vec::new();
    for marker in markers {
        if !seen.contains(&marker) {
            violations.push(Violation::new(&marker, "validator_failed", message.clone()));
            seen.push(marker);
        }
    }
    violations
}

impl PluginValidators<'_> {
    /// Makes one plugin call and answers its violations: the plugin's own, or, when it failed
    /// and a binding of it fails closed, a `validator_failed` violation of each field it had.
    fn run_call(&self, tenant: &Tenant, call: PluginCall) -> DomainResult<Vec<Violation>> {
        let (plugin, version) = (&call.bound.plugin, &call.bound.version);
        let markers: Vec<String> = call.fields.iter().map(|f| f.marker.clone()).collect();
        let input = CallInput::Fields(call.fields);
        let run = self.0.run_plugin_version(
            tenant,
            plugin,
            version,
            Some(&call.bindings[0].id),
            Interface::FieldValidator,
            input,
            // `host.settings()` answers the binding's settings, as in a dry run or a
            // binding invoke; each field carries its own overlay in `field.settings`.
            &call.bindings[0].settings,
        )?;
        let report = run.report;
        Ok(match report.outcome {
            Outcome::Ok | Outcome::Denied => match report.answer {
                Some(Answer::Violations(found)) => found,
                _ => Vec::new(),
            },
            // A broken validator stops the write unless every binding of it fails open.
            _ if call
                .bindings
                .iter()
                .all(|b| b.failure_policy == FailurePolicy::FailOpen) =>
            {
                Vec::new()
            }
            outcome => {
                let message = format!(
                    "validator plugin '{}' failed ({outcome}: {}); its binding fails closed",
                    plugin.name,
                    report.error.as_deref().unwrap_or("no details")
                );
                validator_failed(markers, message)
            }
        })
    }
}

impl FieldValidators for PluginValidators<'_> {
    fn validate(
        &self,
        tenant: &Tenant,
        form: &Form,
        fields: &ParsedFields,
    ) -> DomainResult<Vec<Violation>> {
        let validators = bound_validators(self.0, &tenant.id)?;
        if validators.is_empty() {
            return Ok(Vec::new());
        }
        let mut violations = Vec::new();
        for call in plugin_calls(&validators, form, fields).into_values() {
            violations.extend(self.run_call(tenant, call)?);
        }
        Ok(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn targets() {
        assert!(covers("*", "reg", "name", "string"));
        assert!(covers("type:string", "reg", "name", "string"));
        assert!(!covers("type:integer", "reg", "name", "string"));
        assert!(covers("form:reg", "reg", "name", "string"));
        assert!(!covers("form:other", "reg", "name", "string"));
        assert!(covers("field:reg/name", "reg", "name", "string"));
        assert!(!covers("field:reg/other", "reg", "name", "string"));
        assert!(!covers("portal", "reg", "name", "string"));
    }
}
