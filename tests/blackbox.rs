//! Black-box tests: the real `portico` binary on 127.0.0.1, a temporary redb file (or, with
//! `PORTICO_TEST_POSTGRES`, a PostgreSQL database of its own), real plugins. One test binary
//! (one link); one module per area.

mod support;

mod cluster;
mod contract;
mod forms;
mod foundation;
mod http_server;
mod mail;
mod oneentry;
mod operations;
mod pages;
mod plugins;
mod portal;
