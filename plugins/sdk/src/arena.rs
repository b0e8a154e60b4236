//! A call-scoped bump allocator for guests.
//!
//! Portico runs every call in a fresh instance and throws its memory away afterwards, so a
//! general-purpose allocator's bookkeeping (free lists, coalescing) is wasted work there.
//! [`CallArena`] hands out memory by moving a pointer forward through chunks it takes from the
//! system allocator, and frees only the most recent allocation (which is what a growing
//! `String` or `Vec` needs); everything else is released when the call ends. Use it when a call
//! allocates in proportion to its input, as a validator does:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: portico_plugin_sdk::arena::CallArena = portico_plugin_sdk::arena::CallArena;
//! ```
//!
//! A plugin that allocates and frees in a loop without bound should keep the default
//! allocator: with this one it would reach the call's memory limit, which ends the call with an
//! error naming the limit.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Bytes taken from the system allocator at a time (more when one allocation needs more). The
/// first chunks come out of the memory the instance starts with, so a small call never grows
/// its memory.
pub const CHUNK_BYTES: usize = 32 * 1024;

/// Alignment of each chunk; larger alignments are met inside the chunk.
const CHUNK_ALIGN: usize = 16;

/// The bump allocator; see the module documentation.
pub struct CallArena;

/// The free part `[next, end)` of the current chunk.
struct Region {
    next: Cell<usize>,
    end: Cell<usize>,
}

thread_local! {
    // Guests have one thread (a plain static there); natively, each test thread its own.
    static REGION: Region = const { Region { next: Cell::new(0), end: Cell::new(0) } };
}

impl Region {
    /// Makes room for `size` bytes aligned to `align`; answers the start, or None when no
    /// memory is left.
    fn reserve(&self, size: usize, align: usize) -> Option<usize> {
        if let Some(start) = self.fit(size, align) {
            return Some(start);
        }
        // A new chunk; the rest of the old one stays unused until the call ends.
        let chunk = size.checked_add(align)?.max(CHUNK_BYTES);
        let layout = Layout::from_size_align(chunk, CHUNK_ALIGN).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let fresh = unsafe { System.alloc(layout) };
        if fresh.is_null() {
            return None;
        }
        self.next.set(fresh as usize);
        self.end.set(fresh as usize + chunk);
        self.fit(size, align)
    }

    /// Takes `size` bytes aligned to `align` from the current chunk, if they fit.
    fn fit(&self, size: usize, align: usize) -> Option<usize> {
        let start = self.next.get().checked_add(align - 1)? & !(align - 1);
        let stop = start.checked_add(size)?;
        (self.next.get() != 0 && stop <= self.end.get()).then(|| {
            self.next.set(stop);
            start
        })
    }
}

// SAFETY: every block handed out lies inside a live chunk of the system allocator, is aligned
// as asked and does not overlap another live block: `next` only moves back over the latest
// block when that block is freed or shrunk.
unsafe impl GlobalAlloc for CallArena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        REGION
            .with(|r| r.reserve(layout.size(), layout.align()))
            .map_or(std::ptr::null_mut(), |p| p as *mut u8)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        REGION.with(|r| {
            // Only the latest allocation can be given back.
            if ptr as usize + layout.size() == r.next.get() {
                r.next.set(ptr as usize);
            }
        })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        let in_place = REGION.with(|r| {
            // The latest allocation grows or shrinks in place when its chunk has room.
            let latest = start + layout.size() == r.next.get();
            let stop = start
                .checked_add(new_size)
                .filter(|&s| latest && s <= r.end.get());
            stop.inspect(|&s| r.next.set(s)).is_some()
        });
        // A block that is not the latest shrinks where it is (its tail stays unused).
        if in_place || new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size` fits `layout.align()` (GlobalAlloc contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct; the copy stays inside the smaller one.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(size: usize, align: usize) -> usize {
        let p = unsafe { CallArena.alloc(Layout::from_size_align(size, align).unwrap()) };
        assert!(!p.is_null());
        p as usize
    }

    #[test]
    fn blocks_are_aligned_and_disjoint() {
        let a = alloc(3, 1);
        let b = alloc(8, 8);
        let c = alloc(100, 64);
        assert_eq!(b % 8, 0);
        assert_eq!(c % 64, 0);
        assert!(a + 3 <= b && b + 8 <= c);
    }

    #[test]
    fn only_the_latest_block_is_reused_after_free() {
        let a = alloc(16, 8);
        let b = alloc(16, 8);
        unsafe { CallArena.dealloc(a as *mut u8, Layout::from_size_align(16, 8).unwrap()) };
        assert_eq!(alloc(16, 8), b + 16, "an older block is not reused");
        let c = alloc(16, 8);
        unsafe { CallArena.dealloc(c as *mut u8, Layout::from_size_align(16, 8).unwrap()) };
        assert_eq!(alloc(16, 8), c, "the latest block is");
    }

    #[test]
    fn realloc_grows_the_latest_block_in_place_and_copies_others() {
        let layout = Layout::from_size_align(4, 1).unwrap();
        let a = alloc(4, 1) as *mut u8;
        unsafe { a.copy_from(b"abcd".as_ptr(), 4) };
        let grown = unsafe { CallArena.realloc(a, layout, 64) };
        assert_eq!(grown, a, "the latest block grows in place");
        let _other = alloc(4, 1);
        let moved =
            unsafe { CallArena.realloc(grown, Layout::from_size_align(64, 1).unwrap(), 128) };
        assert_ne!(moved, grown, "an older block moves");
        assert_eq!(unsafe { std::slice::from_raw_parts(moved, 4) }, b"abcd");
        let _latest = alloc(4, 1);
        let shrunk =
            unsafe { CallArena.realloc(moved, Layout::from_size_align(128, 1).unwrap(), 2) };
        assert_eq!(shrunk, moved, "an older block shrinks where it is");
    }

    #[test]
    fn allocations_larger_than_a_chunk_get_their_own() {
        let big = alloc(CHUNK_BYTES * 3, 16);
        let bytes = unsafe { std::slice::from_raw_parts_mut(big as *mut u8, CHUNK_BYTES * 3) };
        bytes.fill(7);
        let small = alloc(8, 8);
        assert!(small >= big + CHUNK_BYTES * 3 || small + 8 <= big);
    }
}
