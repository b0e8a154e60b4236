//! Fuzz targets over what parses untrusted input. Each target is a `check(bytes)` function (no
//! panic, no unbounded work, and a property where one is cheap to state) and a `#[test]` that
//! runs it with `bolero::check!()`: `cargo test -p portico-fuzz` replays the target's corpus
//! (`src/__fuzz__/<target>/corpus/`) and tries random inputs for a few seconds, and
//! `cargo bolero test <target>` runs the same test under a coverage-guided engine (libFuzzer).
//! `docs/testing.md` lists the targets, the commands and the CPU time spent on each.
//!
//! Features: `runtime` (the WIT conversion, the component check and the answer lift) and `http` (request bodies,
//! path parameters and cursors); a long run builds only the one its target needs.

#[cfg(feature = "runtime")]
pub mod answers;
#[cfg(feature = "http")]
pub mod body;
#[cfg(feature = "runtime")]
pub mod component;
pub mod fields;
#[cfg(feature = "http")]
pub mod fixture;
#[cfg(feature = "http")]
pub mod forms;
pub mod json_input;
#[cfg(feature = "http")]
pub mod paths;
#[cfg(feature = "http")]
pub mod settings;
#[cfg(feature = "runtime")]
pub mod wit;
