//! The identity providers port on redb (IdentityProviders, IdentityProviderNames, IdentityLinks tables).

use portico_core::storage::{IdentityProviderReads, IdentityProviderWrites};

use super::{ReadTx, WriteTx};

impl IdentityProviderReads for ReadTx {}
impl IdentityProviderReads for WriteTx<'_> {}
impl IdentityProviderWrites for WriteTx<'_> {}
