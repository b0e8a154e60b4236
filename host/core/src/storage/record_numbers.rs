//! The record numbers port: a counter per tenant and kind of record (users, forms, auth
//! providers). A record gets the next number when it is created, in the transaction that
//! stores it, and keeps it for life; a number is never handed out twice in a tenant, even after
//! its record was deleted. OneEntry apps see these numbers as the records' numeric `id`.

use super::StorageResult;

/// The largest number a record can get: JavaScript's `Number.MAX_SAFE_INTEGER` (2^53 - 1), so
/// every number reads back exactly in a browser. Past it `next_number` answers
/// `StorageError::Conflict` (`record_numbers_exhausted`).
pub const MAX_RECORD_NUMBER: u64 = (1 << 53) - 1;

/// The conflict code of a sequence that reached `MAX_RECORD_NUMBER`.
pub const RECORD_NUMBERS_EXHAUSTED: &str = "record_numbers_exhausted";

/// The kinds of record that are numbered, each with its own sequence per tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberSequence {
    /// Users (internal and portal users share one sequence).
    Users,
    /// Form definitions.
    Forms,
    /// Auth providers.
    AuthProviders,
}

impl NumberSequence {
    /// Every sequence.
    pub const ALL: [NumberSequence; 3] = [
        NumberSequence::Users,
        NumberSequence::Forms,
        NumberSequence::AuthProviders,
    ];

    /// The sequence's stored name.
    pub fn name(self) -> &'static str {
        match self {
            NumberSequence::Users => "users",
            NumberSequence::Forms => "forms",
            NumberSequence::AuthProviders => "auth_providers",
        }
    }
}

/// Reading the sequences.
pub trait RecordNumberReads {
    /// The last number `sequence` handed out in the tenant (0 before the first).
    fn last_number(&self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64>;
}

/// Advancing the sequences.
pub trait RecordNumberWrites: RecordNumberReads {
    /// The next number of `sequence` in the tenant (1 for the first), counted as handed out by
    /// this transaction: two transactions never get the same number, and a number is not
    /// reused when its record goes. Past `MAX_RECORD_NUMBER` answers
    /// `StorageError::Conflict` (`record_numbers_exhausted`).
    fn next_number(&mut self, tenant: &str, sequence: NumberSequence) -> StorageResult<u64>;
}
