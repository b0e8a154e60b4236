//! The outbox port on redb (Notifications tables).

use portico_core::storage::{OutboxReads, OutboxWrites};

use super::{ReadTx, WriteTx};

impl OutboxReads for ReadTx {}
impl OutboxReads for WriteTx<'_> {}
impl OutboxWrites for WriteTx<'_> {}
