//! The record numbers port on PostgreSQL: one row of `record_numbers` per tenant and sequence.
//! `next_number` increments it in the inserting transaction (an upsert that locks the row), so a
//! concurrent insert of the same tenant, on this host or another, waits for this one's commit
//! and then counts on from its number.

use portico_core::storage::{
    NumberSequence, RecordNumberReads, RecordNumberWrites, StorageError, StorageResult,
    MAX_RECORD_NUMBER, RECORD_NUMBERS_EXHAUSTED,
};

use crate::transaction::PgTx;

/// The largest number as the column holds it.
fn max_number() -> i64 {
    i64::try_from(MAX_RECORD_NUMBER).unwrap_or(i64::MAX)
}

impl RecordNumberReads for PgTx {
    fn last_number(&self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64> {
        let row = self.query_opt(
            "SELECT last_number FROM record_numbers WHERE tenant_id = $1 AND sequence = $2",
            &[&tenant, &sequence.name()],
        )?;
        Ok(row.map_or(0, |r| u64::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }
}

impl RecordNumberWrites for PgTx {
    /// The first number creates the row; the next ones add one while it stays within
    /// `MAX_RECORD_NUMBER` (no row comes back past it).
    fn next_number(&mut self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64> {
        let row = self.query_opt(
            "INSERT INTO record_numbers (tenant_id, sequence, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (tenant_id, sequence) DO UPDATE \
             SET last_number = record_numbers.last_number + 1 \
             WHERE record_numbers.last_number < $3 RETURNING last_number",
            &[&tenant, &sequence.name(), &max_number()],
        )?;
        match row {
            Some(row) => Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)),
            None => Err(StorageError::Conflict {
                code: RECORD_NUMBERS_EXHAUSTED,
                message: format!(
                    "the tenant's {} have used every number up to {MAX_RECORD_NUMBER}",
                    sequence.name()
                ),
            }),
        }
    }
}
