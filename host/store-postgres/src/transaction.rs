//! Transactions on one pooled connection, driven from the plain threads the rules run on: each
//! statement blocks on the async client through the runtime's handle (never call these from an
//! async task). Statements are prepared once per connection (the pool's statement cache).
//!
//! A read transaction is `REPEATABLE READ READ ONLY`: one snapshot, as the embedded engine's.
//! A write transaction commits all of its changes or none; dropped without a commit, it rolls
//! back (on the runtime, so a drop never blocks).

use deadpool_postgres::Object;
use portico_core::storage::StorageResult;
use tokio::runtime::Handle;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::error::storage_error;

/// One open transaction.
pub struct PgTx {
    client: Option<Object>,
    runtime: Handle,
}

impl PgTx {
    /// Begins a read transaction on `client`.
    pub(crate) fn read(client: Object, runtime: Handle) -> StorageResult<PgTx> {
        PgTx::begin(
            client,
            runtime,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )
    }

    /// Begins a write transaction on `client`.
    pub(crate) fn write(client: Object, runtime: Handle) -> StorageResult<PgTx> {
        PgTx::begin(client, runtime, "BEGIN ISOLATION LEVEL REPEATABLE READ")
    }

    fn begin(client: Object, runtime: Handle, begin: &str) -> StorageResult<PgTx> {
        runtime
            .block_on(client.batch_execute(begin))
            .map_err(storage_error)?;
        Ok(PgTx {
            client: Some(client),
            runtime,
        })
    }

    fn client(&self) -> &Object {
        self.client
            .as_ref()
            .expect("an open transaction has its client")
    }

    /// The rows `sql` answers.
    pub(crate) fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StorageResult<Vec<Row>> {
        let client = self.client();
        self.runtime
            .block_on(async {
                let statement = client.prepare_cached(sql).await?;
                client.query(&statement, params).await
            })
            .map_err(storage_error)
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
        let client = self.client();
        self.runtime
            .block_on(async {
                let statement = client.prepare_cached(sql).await?;
                client.execute(&statement, params).await
            })
            .map_err(storage_error)
    }

    /// Commits every change of the transaction.
    pub fn commit(mut self) -> StorageResult<()> {
        let client = self.client.take().expect("committed once");
        self.runtime
            .block_on(client.batch_execute("COMMIT"))
            .map_err(storage_error)
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Rolled back on the runtime: the connection goes back to the pool afterwards.
            self.runtime.spawn(async move {
                if let Err(error) = client.batch_execute("ROLLBACK").await {
                    tracing::warn!(%error, "rolling back a transaction failed");
                }
            });
        }
    }
}
