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
