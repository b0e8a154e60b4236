//! The record numbers port on redb: the last number of each sequence in `Table::RecordNumbers`
//! under the sequence's name. Writers take turns, so reading the last number and storing the
//! next one in a write turn hands every number out once.

use portico_core::storage::{
    NumberSequence, RecordNumberReads, RecordNumberWrites, StorageError, StorageResult,
    MAX_RECORD_NUMBER, RECORD_NUMBERS_EXHAUSTED,
};

use super::{ReadTx, Reader, Table, WriteTx};

fn last_number<R: Reader>(tx: &R, tenant: &str, sequence: NumberSequence) -> StorageResult<u64> {
    Ok(tx
        .get::<u64>(Table::RecordNumbers, tenant, sequence.name())?
        .unwrap_or(0))
}

macro_rules! record_number_reads {
    ($($t:ty),*) => {$(
        impl RecordNumberReads for $t {
            fn last_number(&self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64> {
                last_number(self, tenant, sequence)
            }
        }
    )*};
}
record_number_reads!(ReadTx, WriteTx<'_>);

impl RecordNumberWrites for WriteTx<'_> {
    fn next_number(&mut self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64> {
        let next = last_number(self, tenant, sequence)? + 1;
        if next > MAX_RECORD_NUMBER {
            return Err(StorageError::Conflict {
                code: RECORD_NUMBERS_EXHAUSTED,
                message: format!(
                    "the tenant's {} have used every number up to {MAX_RECORD_NUMBER}",
                    sequence.name()
                ),
            });
        }
        self.put(Table::RecordNumbers, tenant, sequence.name(), &next)?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use portico_core::storage::{
        NumberSequence, RecordNumberReads, RecordNumberWrites, StorageError, MAX_RECORD_NUMBER,
        RECORD_NUMBERS_EXHAUSTED,
    };

    use crate::{Store, Table};

    #[test]
    fn each_sequence_counts_per_tenant_from_one_and_survives_a_dropped_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        assert_eq!(tx.last_number("t", NumberSequence::Users).unwrap(), 0);
        assert_eq!(tx.next_number("t", NumberSequence::Users).unwrap(), 1);
        assert_eq!(tx.next_number("t", NumberSequence::Users).unwrap(), 2);
        assert_eq!(tx.next_number("t", NumberSequence::Forms).unwrap(), 1);
        assert_eq!(tx.next_number("t2", NumberSequence::Users).unwrap(), 1);
        tx.commit().unwrap();
        // A write that is dropped hands nothing out.
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t", NumberSequence::Users).unwrap(), 3);
        drop(tx);
        let mut tx = store.write().unwrap();
        assert_eq!(tx.next_number("t", NumberSequence::Users).unwrap(), 3);
        assert_eq!(
            tx.next_number("t", NumberSequence::AuthProviders).unwrap(),
            1
        );
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(read.last_number("t", NumberSequence::Users).unwrap(), 3);
        assert_eq!(read.last_number("t", NumberSequence::Forms).unwrap(), 1);
    }

    #[test]
    fn the_last_safe_number_is_handed_out_and_the_one_past_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        let name = NumberSequence::Forms.name();
        tx.put(Table::RecordNumbers, "t", name, &(MAX_RECORD_NUMBER - 1))
            .unwrap();
        let last = tx.next_number("t", NumberSequence::Forms).unwrap();
        assert_eq!(last, MAX_RECORD_NUMBER);
        match tx.next_number("t", NumberSequence::Forms) {
            Err(StorageError::Conflict { code, message }) => {
                assert_eq!(code, RECORD_NUMBERS_EXHAUSTED);
                assert!(
                    message.contains(&MAX_RECORD_NUMBER.to_string()),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
