//! The relational schema on a real PostgreSQL: what PostgreSQL itself enforces for the rules
//! (the uniqueness constraints whose names an adapter maps to conflict codes, tenant data going
//! with its tenant, no plaintext secret column accepting a secret).

mod support;

use support::{database, Postgres};

/// A migrated database and a plain client on it.
async fn migrated() -> (Postgres, tokio_postgres::Client) {
    let (server, _) = database(&[]).await;
    let client = server.connect("portico").await;
    (server, client)
}

async fn tenant(db: &tokio_postgres::Client, id: &str, namespace: &str) {
    db.execute(
        "INSERT INTO tenants (id, namespace, name, created_at) VALUES ($1, $2, $2, now())",
        &[&id, &namespace],
    )
    .await
    .unwrap();
}

async fn user(
    db: &tokio_postgres::Client,
    tenant: &str,
    id: &str,
    email: &str,
) -> Result<u64, tokio_postgres::Error> {
    db.execute(
        "INSERT INTO users (tenant_id, id, kind, first_name, last_name, email, email_skeleton,
             status, password_expired, created_at, updated_at, number)
         VALUES ($1, $2, 'portal', 'A', 'B', $3, $3, 'active', false, now(), now(),
             (SELECT count(*) + 1 FROM users WHERE tenant_id = $1))",
        &[&tenant, &id, &email],
    )
    .await
}

/// The name of the constraint a refused statement broke.
fn constraint(error: tokio_postgres::Error) -> String {
    let db = error.as_db_error().expect("refused by the database");
    db.constraint().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_is_unique_per_tenant_and_a_namespace_per_installation() {
    let (_server, db) = migrated().await;
    tenant(&db, "t1", "acme").await;
    tenant(&db, "t2", "globex").await;
    user(&db, "t1", "u1", "pat@example.com").await.unwrap();
    let taken = user(&db, "t1", "u2", "pat@example.com").await.unwrap_err();
    assert_eq!(constraint(taken), "users_email_unique");
    // Another tenant may have the same email.
    user(&db, "t2", "u1", "pat@example.com").await.unwrap();
    let taken = db
        .execute(
            "INSERT INTO tenants (id, namespace, name, created_at) VALUES ('t3', 'acme', 'x', now())",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(constraint(taken), "tenants_namespace_unique");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenants_data_goes_with_it_and_no_other() {
    let (_server, db) = migrated().await;
    tenant(&db, "t1", "acme").await;
    tenant(&db, "t2", "globex").await;
    user(&db, "t1", "u1", "a@example.com").await.unwrap();
    user(&db, "t2", "u1", "a@example.com").await.unwrap();
    db.execute("DELETE FROM tenants WHERE id = 't1'", &[])
        .await
        .unwrap();
    let left: Vec<String> = db
        .query("SELECT tenant_id FROM users", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, ["t2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_in_clear_does_not_fit_a_digest_column() {
    let (_server, db) = migrated().await;
    tenant(&db, "t1", "acme").await;
    user(&db, "t1", "u1", "a@example.com").await.unwrap();
    let refused = db
        .execute(
            "UPDATE users SET reset_code_digest = 'the-code-itself' WHERE id = 'u1'",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_db_error().unwrap().code(),
        &tokio_postgres::error::SqlState::CHECK_VIOLATION
    );
    let refused = db
        .execute(
            "UPDATE users SET password_hash = 'hunter2' WHERE id = 'u1'",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused.as_db_error().unwrap().code(),
        &tokio_postgres::error::SqlState::CHECK_VIOLATION
    );
}
