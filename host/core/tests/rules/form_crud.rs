//! forms/crud.rs
use portico_core::domain::forms::load_form;
use portico_core::domain::forms::FormBody;
use serde_json::json;
use std::sync::Arc;

use portico_core::domain::*;
use portico_store_redb::Store;

fn form_body(marker: &str) -> FormBody {
    serde_json::from_value(
        json!({"identifier": "reg", "fields": [{"marker": marker, "type": "string"}]}),
    )
    .unwrap()
}

/// The decoded-form cache never serves a replaced, deleted or other tenant's form.
#[test]
fn cached_forms_follow_the_stored_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let d = Domain::new(store.clone(), "http://localhost".into());
    let a = d.tenants.create_tenant("acme", None).unwrap();
    let b = d.tenants.create_tenant("bolt", None).unwrap();
    d.forms.create_form(&a, form_body("nick")).unwrap();
    d.forms.create_form(&b, form_body("other")).unwrap();
    let marker = |t: &Tenant| -> DomainResult<String> {
        Ok(load_form(&store.read()?, &t.id, "reg")?.fields[0]
            .marker
            .clone())
    };
    assert_eq!(marker(&a).unwrap(), "nick");
    assert_eq!(marker(&a).unwrap(), "nick");
    assert_eq!(marker(&b).unwrap(), "other");
    d.forms
        .replace_form(&a, "reg", form_body("handle"))
        .unwrap();
    assert_eq!(marker(&a).unwrap(), "handle");
    d.forms.delete_form(&a, "reg").unwrap();
    assert!(matches!(marker(&a), Err(DomainError::NotFound { .. })));
    assert_eq!(marker(&b).unwrap(), "other");
}

/// A tenant defines at most `MAX_FORMS_PER_TENANT` forms; another tenant has its own count; the
/// forms list in number order from an offset, with the total.
#[test]
fn a_tenant_defines_at_most_max_forms_per_tenant() {
    use portico_core::domain::forms::MAX_FORMS_PER_TENANT;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let d = Domain::new(store, "http://localhost".into());
    let a = d.tenants.create_tenant("acme", None).unwrap();
    let b = d.tenants.create_tenant("bolt", None).unwrap();
    let body = |i: usize| -> FormBody {
        // Identifiers out of number order: `f499` sorts before `f5`.
        serde_json::from_value(json!({"identifier": format!("f{i}"), "fields": []})).unwrap()
    };
    for i in 0..MAX_FORMS_PER_TENANT {
        d.forms.create_form(&a, body(i)).unwrap();
    }
    let past = d
        .forms
        .create_form(&a, body(MAX_FORMS_PER_TENANT))
        .unwrap_err();
    assert!(
        matches!(&past, DomainError::Conflict { code: "too_many_forms", message } if message.contains("MAX_FORMS_PER_TENANT")),
        "{past:?}"
    );
    d.forms.create_form(&b, body(0)).unwrap();
    let (page, total) = d.forms.forms_by_number(&a, 10, 3).unwrap();
    assert_eq!(total, MAX_FORMS_PER_TENANT);
    let identifiers: Vec<&str> = page.iter().map(|f| f.identifier.as_str()).collect();
    assert_eq!(identifiers, ["f10", "f11", "f12"]);
    // Deleting one makes room again.
    d.forms.delete_form(&a, "f3").unwrap();
    d.forms.create_form(&a, body(MAX_FORMS_PER_TENANT)).unwrap();
}
