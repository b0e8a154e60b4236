//! The profiles port on redb (Profiles, ProfileByUser tables).

use portico_core::storage::{ProfileReads, ProfileWrites};

use super::{ReadTx, WriteTx};

impl ProfileReads for ReadTx {}
impl ProfileReads for WriteTx<'_> {}
impl ProfileWrites for WriteTx<'_> {}
