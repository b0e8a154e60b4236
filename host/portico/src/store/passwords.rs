//! The passwords port on redb (ResetCodes tables).

use portico_core::storage::{PasswordReads, PasswordWrites};

use super::{ReadTx, WriteTx};

impl PasswordReads for ReadTx {}
impl PasswordReads for WriteTx<'_> {}
impl PasswordWrites for WriteTx<'_> {}
