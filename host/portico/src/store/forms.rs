//! The forms port on redb (Forms, FormData tables).

use portico_core::storage::{FormReads, FormWrites};

use super::{ReadTx, WriteTx};

impl FormReads for ReadTx {}
impl FormReads for WriteTx<'_> {}
impl FormWrites for WriteTx<'_> {}
