//! The hook deliveries port on redb (HookDeliveries, HookDue tables).

use portico_core::storage::{HookDeliveryReads, HookDeliveryWrites};

use super::{ReadTx, WriteTx};

impl HookDeliveryReads for ReadTx {}
impl HookDeliveryReads for WriteTx<'_> {}
impl HookDeliveryWrites for WriteTx<'_> {}
