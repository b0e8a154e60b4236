//! The mail templates aggregate of the storage port on a real PostgreSQL, as the embedded
//! engine's test checks it: kept per tenant, kind and language, replaced by a second save,
//! deleted, gone with their tenant; a tenant deleted meanwhile is a conflict; the columns hold
//! no key the rules would not write.

mod support;

use chrono::Utc;
use portico_core::mail_templates::MailTemplate;
use portico_core::storage::{MailTemplateReads, MailTemplateWrites, StorageError, TenantWrites};
use portico_store_postgres::CONCURRENT_CHANGE;
use support::{database, on_a_rules_thread};

fn template(kind: &str, lang: &str, subject: &str) -> MailTemplate {
    MailTemplate {
        kind: kind.into(),
        lang: lang.into(),
        subject: subject.into(),
        text: "Hello {{ firstName }}".into(),
        html: "<p>Hello {{ firstName }}</p>".into(),
        updated_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_are_kept_per_tenant_kind_and_language_replaced_deleted_and_gone_with_the_tenant()
{
    on_a_rules_thread(&["t1", "t2"], |store| {
        let mut tx = store.write().unwrap();
        tx.put_mail_template("t1", &template("welcome", "en_US", "Hi"))
            .unwrap();
        tx.put_mail_template("t1", &template("welcome", "tr_TR", "Merhaba"))
            .unwrap();
        tx.put_mail_template("t2", &template("welcome", "en_US", "Other"))
            .unwrap();
        // Replaced, not added.
        let replaced = template("welcome", "en_US", "Hello");
        tx.put_mail_template("t1", &replaced).unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let found = read
            .mail_template("t1", "welcome", "en_US")
            .unwrap()
            .unwrap();
        assert_eq!(found.subject, "Hello");
        assert_eq!(found.text, replaced.text);
        assert_eq!(found.html, replaced.html);
        assert_eq!(
            found.updated_at.timestamp_micros(),
            replaced.updated_at.timestamp_micros()
        );
        assert_eq!(
            read.mail_template("t1", "welcome", "tr_TR")
                .unwrap()
                .unwrap()
                .subject,
            "Merhaba"
        );
        assert_eq!(
            read.mail_template("t1", "password_reset", "en_US").unwrap(),
            None
        );
        assert_eq!(read.mail_templates("t1").unwrap().len(), 2);
        assert_eq!(read.mail_templates("t2").unwrap().len(), 1);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_mail_template("t1", "welcome", "tr_TR").unwrap());
        assert!(!tx.delete_mail_template("t1", "welcome", "tr_TR").unwrap());
        // Another tenant's template is not this tenant's to delete.
        assert!(!tx.delete_mail_template("t2", "welcome", "tr_TR").unwrap());
        assert_eq!(tx.mail_template("t1", "welcome", "tr_TR").unwrap(), None);
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert!(tx.delete_tenant("t1").unwrap());
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert!(read.mail_templates("t1").unwrap().is_empty());
        assert_eq!(read.mail_templates("t2").unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_of_a_tenant_deleted_meanwhile_is_a_conflict() {
    on_a_rules_thread(&[], |store| {
        let mut tx = store.write().unwrap();
        let lost = tx.put_mail_template("gone", &template("welcome", "en_US", "Hi"));
        assert!(
            matches!(&lost, Err(StorageError::Conflict { code, .. }) if *code == CONCURRENT_CHANGE),
            "{lost:?}"
        );
    })
    .await;
}

async fn insert(
    db: &tokio_postgres::Client,
    kind: &str,
    lang: &str,
    html: &str,
) -> Result<u64, tokio_postgres::Error> {
    db.execute(
        "INSERT INTO mail_templates \
         (tenant_id, kind, lang, subject, text_body, html_body, updated_at) \
         VALUES ('t1', $1, $2, 'S', 'T', $3, now())",
        &[&kind, &lang, &html],
    )
    .await
}

fn check_violation(refused: Result<u64, tokio_postgres::Error>) {
    let refused = refused.unwrap_err();
    assert_eq!(
        refused.as_db_error().unwrap().code(),
        &tokio_postgres::error::SqlState::CHECK_VIOLATION,
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_columns_refuse_what_no_rule_writes() {
    let (server, _store) = database(&["t1"]).await;
    let db = server.connect("portico").await;
    insert(&db, "welcome", "en_US", "<p>x</p>").await.unwrap();
    check_violation(insert(&db, "Welcome; DROP", "en_US", "x").await);
    check_violation(insert(&db, "welcome", "english", "x").await);
    check_violation(insert(&db, "welcome", "tr_TR", &"x".repeat(65537)).await);
    let bad_language = db
        .execute(
            "INSERT INTO tenant_settings \
             (tenant_id, reset_code_ttl_seconds, password_min_length, mail_language) \
             VALUES ('t1', 3600, 10, 'tr')",
            &[],
        )
        .await;
    check_violation(bad_language);
}
