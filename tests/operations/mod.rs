//! Issue 21, operations: `portico backup` of a running server and `portico restore`, and the
//! operator's commands (tenants, API keys, app tokens, the operator token, plugin limits)
//! through the real binary against a real server.

mod backup;
mod cli;
