//! The tenants port on redb (Tenants, TenantNamespaces, ApiKeys, TenantSettings tables).

use portico_core::storage::{TenantReads, TenantWrites};

use super::{ReadTx, WriteTx};

impl TenantReads for ReadTx {}
impl TenantReads for WriteTx<'_> {}
impl TenantWrites for WriteTx<'_> {}
