//! A valid component that exports no Portico interface (only a plain
//! function-free library): the upload must be refused for exporting nothing.

/// Never exported as a component function; present so the crate is not empty.
pub fn unused() -> u32 {
    42
}
