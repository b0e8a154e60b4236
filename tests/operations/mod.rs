//! Issue 21 (operations): the probes an orchestrator calls (`/livez`, `/readyz`) through a
//! start, a shutdown and a database that goes away; the configuration file under the
//! environment and the flags.

mod config;
mod probes;
