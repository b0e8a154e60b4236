//! Transactions on one pooled connection, driven from the plain threads the rules run on: each
//! statement blocks on the async client through the runtime's handle (never call these from an
//! async task). Statements are prepared once per connection (the pool's statement cache).
//!
//! A read transaction is `REPEATABLE READ READ ONLY`: one snapshot, as the embedded engine's.
//! A write transaction is `READ COMMITTED` and first locks its scope (`scope`): the rules' checks
//! then read what every host committed before, and hold until this transaction commits, because
//! no other write of the scope runs meanwhile. It commits all of its changes or none; dropped
//! without a commit, it rolls back (on the runtime, so a drop never blocks).
//!
//! `BEGIN` (and the scope's lock) is sent with the transaction's first statement, in one round
//! trip (tokio-postgres pipelines requests polled together).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use deadpool_postgres::Object;
use portico_core::storage::{ServerKeys, StorageResult};
use tokio::runtime::Handle;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::deferral;
use crate::error::storage_error;
use crate::scope::ScopeLock;

/// Tables whose rows hosts keep decoded (`Storage::configuration`): a transaction that writes
/// one increments `configuration_generation` before it commits.
const CONFIGURATION_TABLES: &[&str] = &[
    "tenants",
    "tenant_settings",
    "portal_settings",
    "plugins",
    "plugin_versions",
    "plugin_bindings",
    "tenant_plugin_limits",
    "operator_plugin_limits",
    "operator_settings",
    "auth_providers",
];

const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
const BEGIN_WRITE: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";

const BUMP_GENERATION: &str = "UPDATE configuration_generation SET generation = generation + 1";

/// What a transaction still has to send before its first statement.
struct Begin {
    sql: &'static str,
    /// The scope's lock, for a write transaction made by the engine (`Storage::write`).
    lock: Option<ScopeLock>,
}

/// What every transaction of a store shares.
#[derive(Clone)]
pub(crate) struct TxContext {
    pub(crate) runtime: Handle,
    pub(crate) keys: Arc<dyn ServerKeys>,
    /// The store's identity in this process.
    pub(crate) store: usize,
    /// Transactions committed since start.
    pub(crate) commits: Arc<AtomicU64>,
}

/// One open transaction.
pub struct PgTx {
    client: Option<Object>,
    context: TxContext,
    begin: Cell<Option<Begin>>,
    /// The scope of a write transaction (`None`: a read, or a write outside any scope).
    scope: Option<ScopeLock>,
    writes: bool,
    configuration_written: Cell<bool>,
}

impl PgTx {
    /// A read transaction on `client`.
    pub(crate) fn read(client: Object, context: &TxContext) -> PgTx {
        PgTx::new(client, context, BEGIN_READ, None, false)
    }

    /// A write transaction on `client`, its scope locked first when it has one.
    pub(crate) fn write(client: Object, context: &TxContext, scope: Option<ScopeLock>) -> PgTx {
        PgTx::new(client, context, BEGIN_WRITE, scope, true)
    }

    fn new(
        client: Object,
        context: &TxContext,
        begin: &'static str,
        scope: Option<ScopeLock>,
        writes: bool,
    ) -> PgTx {
        PgTx {
            client: Some(client),
            context: context.clone(),
            begin: Cell::new(Some(Begin {
                sql: begin,
                lock: scope.clone(),
            })),
            scope,
            writes,
            configuration_written: Cell::new(false),
        }
    }

    fn client(&self) -> &Object {
        self.client
            .as_ref()
            .expect("an open transaction has its client")
    }

    /// The server's keys.
    pub(crate) fn server_keys(&self) -> &dyn ServerKeys {
        &*self.context.keys
    }

    /// Runs `sql` after this transaction's `BEGIN` (and lock) when they were not sent yet, in
    /// the same round trip.
    async fn run(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        rows: bool,
    ) -> Result<(Vec<Row>, u64), tokio_postgres::Error> {
        let client = self.client();
        let statement = client.prepare_cached(sql).await?;
        let begin = self.begin.take();
        let lock = begin.as_ref().and_then(|b| b.lock.as_ref());
        let lock_statement = match lock {
            Some(lock) => Some(client.prepare_cached(lock.sql()).await?),
            None => None,
        };
        let begun = async {
            match &begin {
                Some(begin) => client.batch_execute(begin.sql).await,
                None => Ok(()),
            }
        };
        let locked = async {
            match (&lock_statement, lock) {
                (Some(locking), Some(lock)) => {
                    client.query(locking, &lock.params()).await.map(drop)
                }
                _ => Ok(()),
            }
        };
        let ran = async {
            if rows {
                client.query(&statement, params).await.map(|r| (r, 0))
            } else {
                let changed = client.execute(&statement, params).await?;
                Ok((Vec::new(), changed))
            }
        };
        let (begun, locked, ran) = tokio::join!(begun, locked, ran);
        begun?;
        locked?;
        ran
    }

    /// The rows `sql` answers.
    pub(crate) fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StorageResult<Vec<Row>> {
        let (rows, _) =
            wait(&self.context.runtime, self.run(sql, params, true)).map_err(storage_error)?;
        Ok(rows)
    }

    /// The one row `sql` answers, if any.
    pub(crate) fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StorageResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs `sql`; answers the rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> StorageResult<u64> {
        if writes_configuration(sql) {
            self.configuration_written.set(true);
        }
        let (_, changed) =
            wait(&self.context.runtime, self.run(sql, params, false)).map_err(storage_error)?;
        Ok(changed)
    }

    /// Runs `statements` in order, sent together: one round trip for all of them instead of
    /// one each. The first failure is answered (the statements after it fail with it, as the
    /// transaction is aborted).
    pub(crate) fn execute_pipelined(
        &self,
        statements: &[(&str, &[&(dyn ToSql + Sync)])],
    ) -> StorageResult<()> {
        let Some(((first_sql, first_params), rest)) = statements.split_first() else {
            return Ok(());
        };
        // The first goes alone when the transaction has not begun: it sends `BEGIN` and the
        // lock with it.
        self.execute(first_sql, first_params)?;
        if rest.iter().any(|(sql, _)| writes_configuration(sql)) {
            self.configuration_written.set(true);
        }
        let client = self.client();
        wait(&self.context.runtime, async {
            let mut prepared = Vec::with_capacity(rest.len());
            for (sql, _) in rest {
                prepared.push(client.prepare_cached(sql).await?);
            }
            let runs = prepared
                .iter()
                .zip(rest)
                .map(|(statement, (_, params))| client.execute(statement, params));
            futures_util::future::try_join_all(runs).await
        })
        .map_err(storage_error)?;
        Ok(())
    }

    /// Commits every change of the transaction, with the writes this thread deferred to its
    /// next commit of the same scope (`Storage::write_with_next_commit`).
    pub fn commit(mut self) -> StorageResult<()> {
        if self.writes {
            for write in deferral::take_for(self.context.store, self.scope.as_ref()) {
                write(&mut self)?;
            }
        }
        let bump = self.configuration_written.get();
        if bump {
            self.execute(BUMP_GENERATION, &[])?;
        }
        let client = self.client.take().expect("committed once");
        if self.begin.take().is_some() {
            return Ok(()); // Nothing was sent: nothing to commit.
        }
        wait(&self.context.runtime, client.batch_execute("COMMIT")).map_err(storage_error)?;
        self.context.commits.fetch_add(1, Ordering::Relaxed);
        if bump {
            deferral::configuration_changed(self.context.store);
        }
        Ok(())
    }
}

/// Runs `future` to its end on `runtime`, blocking this thread. The rules run on plain
/// threads; a short check run on an async worker (an authenticated request's token look-up)
/// first hands the worker's other tasks to another thread.
pub(crate) fn wait<F: std::future::Future>(runtime: &Handle, future: F) -> F::Output {
    match Handle::try_current() {
        Ok(_) => tokio::task::block_in_place(|| runtime.block_on(future)),
        Err(_) => runtime.block_on(future),
    }
}

/// Whether `sql` inserts, updates or deletes rows of a configuration table.
fn writes_configuration(sql: &str) -> bool {
    let mut words = sql.split_whitespace();
    let table = match words.next().map(str::to_ascii_uppercase).as_deref() {
        Some("INSERT") | Some("DELETE") => words.nth(1),
        Some("UPDATE") => words.next(),
        _ => None,
    };
    table.is_some_and(|t| {
        let t = t.split('(').next().unwrap_or(t);
        CONFIGURATION_TABLES.contains(&t)
    })
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        if self.begin.take().is_some() {
            return; // Never begun: the connection goes back to the pool as it is.
        }
        // Rolled back on the runtime: the connection goes back to the pool afterwards.
        self.context.runtime.spawn(async move {
            if let Err(error) = client.batch_execute("ROLLBACK").await {
                tracing::warn!(%error, "rolling back a transaction failed");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::writes_configuration;

    #[test]
    fn configuration_writes_are_recognised_by_their_table() {
        assert!(writes_configuration("INSERT INTO plugins (a) VALUES ($1)"));
        assert!(writes_configuration("  UPDATE tenant_settings SET x = 1"));
        assert!(writes_configuration(
            "DELETE FROM plugin_bindings WHERE a = $1"
        ));
        assert!(writes_configuration("insert into tenants(id) values ($1)"));
        assert!(!writes_configuration(
            "INSERT INTO plugin_counters (a) VALUES ($1)"
        ));
        assert!(!writes_configuration("UPDATE users SET x = 1"));
        assert!(!writes_configuration("SELECT 1 FROM plugins"));
    }
}
