//! forms/data.rs
use portico_core::domain::forms::delete_owner_form_data;
use portico_core::domain::forms::{FieldValidators, Form, ParsedFields, Violation};
use portico_core::forms::FormDataOwner;
use std::cell::RefCell;
use std::sync::Arc;

use serde_json::json;

use portico_core::domain::forms::FormBody;
use portico_core::domain::NewUser;
use portico_core::domain::*;
use portico_core::fields::FieldValue;
use portico_store_redb::Store;

/// Stands in for the plugin stage: refuses "bad" nicknames and records what it saw.
struct Recorder(RefCell<Vec<String>>);

impl FieldValidators for Recorder {
    fn validate(
        &self,
        _: &Tenant,
        _: &Form,
        fields: &ParsedFields,
    ) -> DomainResult<Vec<Violation>> {
        let mut out = Vec::new();
        for (lang, f) in fields.iter() {
            self.0.borrow_mut().push(format!("{lang}:{}", f.marker));
            if f.value == Some(FieldValue::String("bad".into())) {
                out.push(Violation::new(
                    &f.marker,
                    "plugin_says_no",
                    "refused by the validator",
                ));
            }
        }
        Ok(out)
    }
}

#[test]
fn extra_validators_join_the_native_violations_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = Domain::new(
        Arc::new(Store::open(dir.path()).unwrap()),
        "http://localhost".into(),
    );
    let tenant = d.tenants.create_tenant("acme", None).unwrap();
    let new_user: NewUser =
        serde_json::from_value(json!({"firstName": "A", "lastName": "B", "email": "a@b.c"}))
            .unwrap();
    let owner = FormDataOwner::User(d.users.create_user(&tenant, new_user).unwrap().id);
    let body: FormBody = serde_json::from_value(json!({
        "identifier": "reg",
        "fields": [{"marker": "nick", "type": "string"}, {"marker": "age", "type": "integer"}]
    }))
    .unwrap();
    d.forms.create_form(&tenant, body).unwrap();

    let plugins = Recorder(RefCell::new(Vec::new()));
    let data = json!([{"marker": "nick", "value": "bad"}, {"marker": "age", "value": "x"}]);
    let err = d
        .forms
        .apply_form_update_with(&tenant, &owner, "reg", data, None, &plugins)
        .unwrap_err();
    let DomainError::Validation(violations) = err else {
        panic!("{err:?}")
    };
    let codes: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.marker.as_str(), v.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [("age", "invalid_integer"), ("nick", "plugin_says_no")]
    );
    assert_eq!(
        *plugins.0.borrow(),
        ["en_US:nick"],
        "validators see only what passed the native checks"
    );
    assert!(d
        .forms
        .get_form_data(&tenant, &owner, "reg", None)
        .unwrap()
        .form_data
        .is_empty());

    let data = json!([{"marker": "nick", "value": "good"}, {"marker": "age", "value": 30}]);
    let written = d
        .forms
        .apply_form_update_with(&tenant, &owner, "reg", data, Some("tr_TR"), &plugins)
        .unwrap();
    assert_eq!(written.form_data["tr_TR"].len(), 2);
    assert_eq!(
        d.forms
            .get_form_data(&tenant, &owner, "reg", Some("tr_TR"))
            .unwrap()
            .form_data
            .len(),
        2
    );

    // Deleting the owner's data (as user deletion will) leaves other owners alone.
    let mut tx = d.store().write_tenant(&tenant.id).unwrap();
    assert_eq!(
        delete_owner_form_data(&mut *tx, &tenant.id, &owner).unwrap(),
        1
    );
    tx.commit().unwrap();
    assert!(d
        .forms
        .get_form_data(&tenant, &owner, "reg", Some("tr_TR"))
        .unwrap()
        .form_data
        .is_empty());
}
