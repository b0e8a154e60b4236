//! The plugins port on redb (Plugins, PluginNames, PluginVersions, PluginComponents, PluginArtifacts, ComponentTenants, PluginBindings, PluginInvocations, PluginCounters, PluginLimits tables).

use portico_core::storage::{PluginReads, PluginWrites};

use super::{ReadTx, WriteTx};

impl PluginReads for ReadTx {}
impl PluginReads for WriteTx<'_> {}
impl PluginWrites for WriteTx<'_> {}
