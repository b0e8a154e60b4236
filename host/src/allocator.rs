//! Memory returned to the operating system. glibc's malloc raises its mmap threshold each time a
//! large block is freed, after which large blocks come from per-thread arenas and stay resident:
//! every password hash (argon2id, 19 MiB) left 19 MiB behind in the arena of each blocking thread
//! that ran one, and a burst of sign-ins grew the process past 2 GB. A fixed threshold keeps large
//! blocks on their own mappings, unmapped when freed.

/// Allocations of at least this size get their own mapping, unmapped when freed. Small enough for
/// argon2's 19 MiB and wasmtime's compile buffers; large enough that request-sized buffers stay
/// in the (fast) arenas.
pub const MMAP_THRESHOLD_BYTES: usize = 1024 * 1024;

/// Fixes the mmap threshold at `MMAP_THRESHOLD_BYTES` (glibc); answers whether it was set. Call it
/// once at start, before the threads that allocate.
pub fn return_large_blocks_to_the_os() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters; any value is accepted or refused
        // with 0, and it is called before other threads allocate.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        true
    }
}

/// glibc malloc arenas per available core. glibc's default (8 per core) lets the many blocking
/// threads (plugin compilations and calls, password hashes) each keep an arena of freed
/// small blocks: after 300 plugin compilations 206 MB of anonymous memory was resident with the
/// default and 135 MB with 2 arenas (before the fixed mmap threshold; BENCHMARKS.md, "Restart
/// and scale"). `MALLOC_ARENA_MAX` in the environment still wins.
pub const MALLOC_ARENAS_PER_CORE: usize = 1;

/// Fewest arenas, whatever the core count (the main thread's and one more).
pub const MIN_MALLOC_ARENAS: usize = 2;

/// Caps glibc's malloc arenas at `MALLOC_ARENAS_PER_CORE` per core (at least
/// `MIN_MALLOC_ARENAS`) unless `MALLOC_ARENA_MAX` is set. Call it once at start, before the
/// threads that allocate.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = (cores * MALLOC_ARENAS_PER_CORE).max(MIN_MALLOC_ARENAS);
        // SAFETY: as above: mallopt only changes an allocator parameter.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas as libc::c_int);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_threshold_is_accepted() {
        assert!(super::return_large_blocks_to_the_os());
    }
}
