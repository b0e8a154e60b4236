//! The forms aggregate of the storage port on a real PostgreSQL, as the embedded engine's test
//! checks it: identifiers unique in a tenant (a lost race answers the rules' conflict code),
//! forms in identifier order, data going with its form or its owner.

mod support;

use chrono::Utc;
use portico_core::fields::FieldType;
use portico_core::forms::{Form, FormDataOwner, StoredField};
use portico_core::storage::{FormReads, FormWrites, StorageError};
use serde_json::json;
use support::on_a_rules_thread;

fn form(identifier: &str) -> Form {
    serde_json::from_value(json!({
        "identifier": identifier, "number": support::unique_number(), "title": {"en_US": "Sign up"},
        "fields": [{"marker": "s", "type": "string", "required": true, "label": {"en_US": "S"},
                    "settings": {"maxLength": 20}, "validators": {"v": {"strict": true}}}],
        "loginMarker": "s", "passwordMarker": null,
        "createdAt": Utc::now(), "updatedAt": Utc::now(),
    }))
    .unwrap()
}

fn field(value: &str) -> Vec<StoredField> {
    vec![StoredField {
        marker: "s".into(),
        field_type: FieldType::String,
        value: json!(value),
    }]
}

#[tokio::test(flavor = "multi_thread")]
async fn identifiers_are_unique_and_data_goes_with_its_form_or_its_owner() {
    on_a_rules_thread(&["t", "u"], |store| {
        let (u1, u10) = (
            FormDataOwner::User("u1".into()),
            FormDataOwner::User("u10".into()),
        );
        let p1 = FormDataOwner::Profile("u1".into());
        let mut tx = store.write().unwrap();
        tx.insert_form("t", &form("reg")).unwrap();
        tx.insert_form("t", &form("other")).unwrap();
        tx.insert_form("u", &form("reg")).unwrap();
        for (owner, form) in [(&u1, "reg"), (&u10, "reg"), (&u1, "other"), (&p1, "reg")] {
            tx.put_form_data("t", owner, form, "en_US", &field(form), Utc::now())
                .unwrap();
        }
        tx.commit().unwrap();

        // Another host's form with the same identifier loses with the rules' code.
        let mut tx = store.write().unwrap();
        let taken = tx.insert_form("t", &form("reg"));
        assert!(
            matches!(
                taken,
                Err(StorageError::Conflict {
                    code: "form_identifier_taken",
                    ..
                })
            ),
            "{taken:?}"
        );
        drop(tx);

        let read = store.read().unwrap();
        let stored = read.form("t", "reg").unwrap().unwrap();
        assert_eq!(stored.title["en_US"], "Sign up");
        assert_eq!(stored.fields[0].settings.max_length, Some(20));
        assert!(stored.fields[0].required);
        assert_eq!(stored.fields[0].validators["v"], json!({"strict": true}));
        assert_eq!(stored.login_marker.as_deref(), Some("s"));
        assert!(read.form_exists("t", "other").unwrap());
        assert!(!read.form_exists("t", "missing").unwrap());
        let identifiers = |after| -> Vec<String> {
            read.forms_after("t", after, 10)
                .unwrap()
                .into_iter()
                .map(|f| f.identifier)
                .collect()
        };
        assert_eq!(identifiers(None), ["other", "reg"]);
        assert_eq!(identifiers(Some("other")), ["reg"]);
        assert_eq!(read.forms_after("t", None, 1).unwrap().len(), 1);
        drop(read);

        let mut tx = store.write().unwrap();
        assert_eq!(tx.delete_owner_form_data("t", &u1).unwrap(), 2);
        assert!(tx.form_data("t", &u1, "other", "en_US").unwrap().is_none());
        let kept = tx.form_data("t", &u10, "reg", "en_US").unwrap().unwrap();
        assert_eq!(kept.fields, field("reg"));
        assert!(kept.updated_at.is_some());
        assert!(tx.form_data("t", &p1, "reg", "en_US").unwrap().is_some());
        tx.delete_form("t", "reg").unwrap();
        assert!(tx.form("t", "reg").unwrap().is_none());
        assert!(tx.form_data("t", &u10, "reg", "en_US").unwrap().is_none());
        assert!(tx.form_data("t", &p1, "reg", "en_US").unwrap().is_none());
        assert_eq!(tx.form("t", "other").unwrap().unwrap().identifier, "other");
        assert!(tx.form("u", "reg").unwrap().is_some(), "another tenant's");
        assert!(tx.form("other-tenant", "other").unwrap().is_none());
        tx.commit().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_is_replaced_and_stored_without_nul_characters() {
    on_a_rules_thread(&["t", "u"], |store| {
        let owner = FormDataOwner::Profile("p".into());
        let mut tx = store.write().unwrap();
        tx.insert_form("t", &form("reg")).unwrap();
        tx.put_form_data("t", &owner, "reg", "en_US", &field("a"), Utc::now())
            .unwrap();
        tx.put_form_data("t", &owner, "reg", "en_US", &field("b\0c"), Utc::now())
            .unwrap();
        tx.put_form_data("t", &owner, "reg", "tr_TR", &field("d"), Utc::now())
            .unwrap();
        let mut changed = form("reg");
        changed.title.insert("tr_TR".into(), "Kayıt".into());
        tx.update_form("t", &changed).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let data = read
            .form_data("t", &owner, "reg", "en_US")
            .unwrap()
            .unwrap();
        assert_eq!(data.fields, field("b\u{fffd}c"));
        assert_eq!(read.form("t", "reg").unwrap().unwrap().title.len(), 2);
        drop(read);
        let mut tx = store.write().unwrap();
        assert_eq!(tx.delete_owner_form_data("t", &owner).unwrap(), 2);
        tx.commit().unwrap();
    })
    .await;
}
