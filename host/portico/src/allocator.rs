//! The memory allocator: mimalloc (the `portico` binary's global allocator), set to commit
//! memory as it is used.
//!
//! Why not glibc's malloc: on `updateUser` at concurrency 64 it took about a fifth of the
//! server's CPU (`perf`: arena locks shared by the blocking threads, chunk consolidation and
//! unlinking), and it kept large freed blocks resident unless its mmap threshold was pinned
//! (a burst of sign-ins, argon2id at 19 MiB each, once grew the process to 5 GB). mimalloc's
//! per-thread heaps need no lock on the hot path and it returns freed memory to the OS after a
//! short delay. Figures: docs/performance.md, "Allocator".

use std::ffi::{c_int, c_long};

/// mimalloc's `mi_option_arena_eager_commit`: the position of `arena_eager_commit` in the
/// `mi_option_e` enum of the mimalloc (v3) built by the pinned `libmimalloc-sys`, which does not
/// export these numbers. `option_numbers_match_their_defaults` checks them.
const MI_OPTION_ARENA_EAGER_COMMIT: c_int = 4;

/// mimalloc's `mi_option_purge_delay` (see `MI_OPTION_ARENA_EAGER_COMMIT`).
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// Arenas commit pages as they are used. mimalloc's default (2: eagerly where the OS
/// overcommits, as Linux does) commits whole arena chunks up front: about 300 MB resident under
/// the load benchmark's `updateUser` instead of about 160 MB.
pub const ARENA_EAGER_COMMIT: c_long = 0;

/// Milliseconds before freed memory is given back to the OS. mimalloc's default (1,000 ms, and
/// ten times that for whole arena chunks) kept what plugin compilations freed: 390 MB resident
/// after seeding 1,000 tenants' plugins (`portico-load scale`) against 188 MB with glibc.
pub const PURGE_DELAY_MS: c_long = 10;

/// Configures mimalloc. It must run before the first allocation: mimalloc fixes an arena's
/// commit mode when it creates the arena, and the first one (1 GiB of address space) serves
/// most of the process. The `portico` binary runs it from `.init_array`, before Rust's runtime
/// allocates anything; called later it changes the purge delay only.
pub extern "C" fn configure() {
    // SAFETY: `mi_option_set` only stores an option value; any value is accepted.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, ARENA_EAGER_COMMIT);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
    }
}

/// Gives the memory a large one-off job freed (a plugin compilation: tens of MB of compiler
/// data, on this thread and on the compiler's worker threads) back to the OS now. Without it
/// mimalloc kept about 0.1 MB per compiled plugin resident (`portico-load scale`).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` only walks mimalloc's own free lists; safe from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option numbers are those of the options meant: their documented defaults (this
    /// process never calls `configure`).
    #[test]
    fn option_numbers_match_their_defaults() {
        // SAFETY: reading an option has no side effect.
        unsafe {
            assert_eq!(
                libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_EAGER_COMMIT),
                2
            );
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
        }
    }
}
