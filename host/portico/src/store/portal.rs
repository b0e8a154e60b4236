//! The portal port on redb (PortalSettings, PortalPages tables).

use portico_core::storage::{PortalReads, PortalWrites};

use super::{ReadTx, WriteTx};

impl PortalReads for ReadTx {}
impl PortalReads for WriteTx<'_> {}
impl PortalWrites for WriteTx<'_> {}
