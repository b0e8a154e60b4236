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
//! The arena holds at most [`ARENA_BUDGET_BYTES`] of chunks per call; past that, every further
//! allocation goes to the system allocator, which reuses freed memory. So a call that allocates
//! and frees far more than it keeps (thousands of patterns compiled one after another, say)
//! still runs in bounded memory, at the default allocator's speed for the rest of the call.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Bytes of the first chunk taken from the system allocator; each further chunk is twice the
/// previous one (or what one allocation needs). The first comes out of the memory the instance
/// starts with, so a small call never grows its memory.
pub const CHUNK_BYTES: usize = 32 * 1024;

/// Most bytes of chunks the arena takes in one call; allocations beyond go to the system
/// allocator. Bounds what the arena can hold unused to this much of the call's memory limit.
pub const ARENA_BUDGET_BYTES: usize = 4 << 20;

/// Most chunks: `CHUNK_BYTES` doubling up to `ARENA_BUDGET_BYTES` takes 8.
const MAX_CHUNKS: usize = 8;

/// Alignment of each chunk; larger alignments are met inside the chunk.
const CHUNK_ALIGN: usize = 16;

/// The bump allocator; see the module documentation.
pub struct CallArena;

/// The chunks taken so far, `[start, end)` each; the free part of the latest is `[next, end)`.
struct Region {
    next: Cell<usize>,
    end: Cell<usize>,
    chunks: [Cell<(usize, usize)>; MAX_CHUNKS],
    count: Cell<usize>,
    taken: Cell<usize>,
    /// Whether any allocation went to the system allocator: until then every block is ours.
    spilled: Cell<bool>,
}

thread_local! {
    // Guests have one thread (a plain static there); natively, each test thread its own.
    static REGION: Region = const {
        Region {
            next: Cell::new(0),
            end: Cell::new(0),
            chunks: [const { Cell::new((0, 0)) }; MAX_CHUNKS],
            count: Cell::new(0),
            taken: Cell::new(0),
            spilled: Cell::new(false),
        }
    };
}

impl Region {
    /// Makes room for `size` bytes aligned to `align` in the arena; answers the start, or None
    /// when the arena's budget (or the memory) does not allow it.
    fn reserve(&self, size: usize, align: usize) -> Option<usize> {
        if let Some(start) = self.fit(size, align) {
            return Some(start);
        }
        // A new chunk; the rest of the old one stays unused until the call ends.
        let count = self.count.get();
        let doubled = CHUNK_BYTES << count.min(MAX_CHUNKS);
        let chunk = size.checked_add(align)?.max(doubled);
        let taken = self.taken.get().checked_add(chunk)?;
        if count == MAX_CHUNKS || taken > ARENA_BUDGET_BYTES {
            return None;
        }
        let layout = Layout::from_size_align(chunk, CHUNK_ALIGN).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let fresh = unsafe { System.alloc(layout) } as usize;
        if fresh == 0 {
            return None;
        }
        self.chunks[count].set((fresh, fresh + chunk));
        self.count.set(count + 1);
        self.taken.set(taken);
        self.next.set(fresh);
        self.end.set(fresh + chunk);
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

    /// Whether `ptr` lies in one of the arena's chunks (else the system allocator made it).
    /// Checked only once something was spilled: in a call within the budget all blocks are ours.
    fn owns(&self, ptr: usize) -> bool {
        !self.spilled.get()
            || self.chunks[..self.count.get()]
                .iter()
                .rev()
                .any(|c| (c.get().0..c.get().1).contains(&ptr))
    }
}

// SAFETY: every arena block lies inside a live chunk of the system allocator, is aligned as
// asked and does not overlap another live block (`next` only moves back over the latest block
// when that block is freed or shrunk); every other block is the system allocator's and goes
// back to it.
unsafe impl GlobalAlloc for CallArena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        REGION.with(|r| match r.reserve(layout.size(), layout.align()) {
            Some(p) => p as *mut u8,
            None => {
                r.spilled.set(true);
                // SAFETY: the caller's layout, handed on.
                unsafe { System.alloc(layout) }
            }
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let ours = REGION.with(|r| {
            let ours = r.owns(ptr as usize);
            // Only the latest allocation can be given back to the arena.
            if ours && ptr as usize + layout.size() == r.next.get() {
                r.next.set(ptr as usize);
            }
            ours
        });
        if !ours {
            // SAFETY: not an arena block, so the system allocator made it with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        let (ours, in_place) = REGION.with(|r| {
            if !r.owns(start) {
                return (false, false);
            }
            // The latest allocation grows or shrinks in place when its chunk has room.
            let latest = start + layout.size() == r.next.get();
            let stop = start
                .checked_add(new_size)
                .filter(|&s| latest && s <= r.end.get());
            (true, stop.inspect(|&s| r.next.set(s)).is_some())
        });
        if !ours {
            // SAFETY: the system allocator's block, with the caller's layout and size.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
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
    fn past_the_budget_allocations_go_to_the_system_allocator_and_back() {
        let layout = Layout::from_size_align(1 << 20, 8).unwrap();
        let blocks: Vec<usize> = (0..6)
            .map(|_| unsafe { CallArena.alloc(layout) } as usize)
            .collect();
        assert!(blocks.iter().all(|&b| b != 0));
        let owned: Vec<bool> = blocks.iter().map(|&b| REGION.with(|r| r.owns(b))).collect();
        assert!(owned[0], "the first block is the arena's");
        assert!(
            !owned[5],
            "past {ARENA_BUDGET_BYTES} bytes blocks are the system's: {owned:?}"
        );
        assert!(REGION.with(|r| r.taken.get()) <= ARENA_BUDGET_BYTES);
        // A system block grows, keeps its bytes, and is freed by the system allocator.
        let p = blocks[5] as *mut u8;
        unsafe { p.write(42) };
        let grown = unsafe { CallArena.realloc(p, layout, 2 << 20) };
        assert!(!REGION.with(|r| r.owns(grown as usize)));
        assert_eq!(unsafe { grown.read() }, 42);
        unsafe { CallArena.dealloc(grown, Layout::from_size_align(2 << 20, 8).unwrap()) };
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
