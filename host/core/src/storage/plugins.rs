//! The plugins port: plugins, versions, stored components and compiled artifacts, bindings, the invocation log, counters and limits.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading plugins, versions, stored components and compiled artifacts, bindings, the invocation log, counters and limits.
pub trait PluginReads {}

/// Writing plugins, versions, stored components and compiled artifacts, bindings, the invocation log, counters and limits.
pub trait PluginWrites: PluginReads {}
