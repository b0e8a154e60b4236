//! The sign in attempts port on redb (SignInAttempts, SignInAttemptTimes tables).

use portico_core::storage::{SignInAttemptReads, SignInAttemptWrites};

use super::{ReadTx, WriteTx};

impl SignInAttemptReads for ReadTx {}
impl SignInAttemptReads for WriteTx<'_> {}
impl SignInAttemptWrites for WriteTx<'_> {}
