//! The signup links port on redb (SignupLinks, ProfileSignupLinks tables).

use portico_core::storage::{SignupLinkReads, SignupLinkWrites};

use super::{ReadTx, WriteTx};

impl SignupLinkReads for ReadTx {}
impl SignupLinkReads for WriteTx<'_> {}
impl SignupLinkWrites for WriteTx<'_> {}
