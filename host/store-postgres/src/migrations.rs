//! Versioned migrations: each file of `../migrations/` once, in order, recorded in
//! `portico_schema_migrations`. A host starting against a database migrates it in one
//! transaction under an advisory lock, so hosts starting together apply each migration once;
//! a database a newer Portico migrated is refused (its rows may not mean what this build reads).

use deadpool_postgres::Object;

use crate::{PgError, PgResult};

/// One migration: its version (its file's number) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the database has once it is applied.
    pub version: u32,
    /// What it does, as its file is named.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
}

/// Every migration of this build, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "schema",
        sql: include_str!("../migrations/0001_schema.sql"),
    },
    Migration {
        version: 2,
        name: "server_key",
        sql: include_str!("../migrations/0002_server_key.sql"),
    },
    Migration {
        version: 3,
        name: "counter_shards",
        sql: include_str!("../migrations/0003_counter_shards.sql"),
    },
    Migration {
        version: 4,
        name: "session_metadata",
        sql: include_str!("../migrations/0004_session_metadata.sql"),
    },
    Migration {
        version: 5,
        name: "app_tokens",
        sql: include_str!("../migrations/0005_app_tokens.sql"),
    },
    Migration {
        version: 6,
        name: "record_numbers",
        sql: include_str!("../migrations/0006_record_numbers.sql"),
    },
    Migration {
        version: 7,
        name: "auth_providers",
        sql: include_str!("../migrations/0007_auth_providers.sql"),
    },
    Migration {
        version: 8,
        name: "user_codes",
        sql: include_str!("../migrations/0008_user_codes.sql"),
    },
    Migration {
        version: 9,
        name: "outbox_delivery",
        sql: include_str!("../migrations/0009_outbox_delivery.sql"),
    },
    Migration {
        version: 10,
        name: "mail_sender",
        sql: include_str!("../migrations/0010_mail_sender.sql"),
    },
    Migration {
        version: 11,
        name: "mail_templates",
        sql: include_str!("../migrations/0011_mail_templates.sql"),
    },
    Migration {
        version: 12,
        name: "portal_branding",
        sql: include_str!("../migrations/0012_portal_branding.sql"),
    },
];

/// The schema version this build reads and writes: its newest migration.
pub const SCHEMA_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The advisory lock key hosts take while migrating (any constant shared by every host).
const MIGRATION_LOCK: i64 = 0x706f_7274_6963_6f01;

/// Brings the database to `SCHEMA_VERSION`; answers it.
pub(crate) async fn migrate(client: &mut Object) -> PgResult<u32> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS portico_schema_migrations (
             version integer PRIMARY KEY,
             name text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let found = applied_version(&tx).await?;
    if found > SCHEMA_VERSION {
        return Err(PgError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(migration.sql).await?;
        tx.execute(
            "INSERT INTO portico_schema_migrations (version, name) VALUES ($1, $2)",
            &[&(migration.version as i32), &migration.name],
        )
        .await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migrated the database"
        );
    }
    tx.commit().await?;
    Ok(SCHEMA_VERSION)
}

/// The newest version recorded (0 for an empty database).
async fn applied_version(tx: &deadpool_postgres::Transaction<'_>) -> PgResult<u32> {
    let row = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM portico_schema_migrations",
            &[],
        )
        .await?;
    Ok(row.get::<_, i32>(0) as u32)
}
