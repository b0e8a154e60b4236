//! The groups port on redb (Groups, GroupNames tables).

use portico_core::storage::{GroupReads, GroupWrites};

use super::{ReadTx, WriteTx};

impl GroupReads for ReadTx {}
impl GroupReads for WriteTx<'_> {}
impl GroupWrites for WriteTx<'_> {}
