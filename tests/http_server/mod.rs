//! Issue 16 (HTTP server): request paths and bodies that are refused, connection limits and
//! timeouts, bounded shutdown, and what the request log may contain.

mod bodies;
mod paths;
