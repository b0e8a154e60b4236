//! The endpoint configs port on redb (EndpointConfigs tables).

use portico_core::storage::{EndpointConfigReads, EndpointConfigWrites};

use super::{ReadTx, WriteTx};

impl EndpointConfigReads for ReadTx {}
impl EndpointConfigReads for WriteTx<'_> {}
impl EndpointConfigWrites for WriteTx<'_> {}
