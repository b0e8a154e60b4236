//! Issue 21 (operations): the probes an orchestrator calls (`/livez`, `/readyz`) through a
//! start, a shutdown and a database that goes away; the configuration file under the
//! environment and the flags; `portico backup` of a running server and `portico restore`; the
//! operator's commands (tenants, API keys, app tokens, the operator token, plugin limits)
//! through the real binary against a real server.

mod backup;
mod cli;
mod config;
mod probes;
