//! The sessions port on redb (Sessions, UserSessions tables).

use portico_core::storage::{SessionReads, SessionWrites};

use super::{ReadTx, WriteTx};

impl SessionReads for ReadTx {}
impl SessionReads for WriteTx<'_> {}
impl SessionWrites for WriteTx<'_> {}
