//! A global allocator that counts live bytes and aborts the process, with a message that names
//! the limit, before they would pass it. Without it a case that asks for terabytes is either
//! refused by the system (an abort that says less) or, worse, slowly swaps the machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The first words of the abort message, which the supervisor looks for on the worker's stderr.
pub const ALLOCATION_LIMIT_MESSAGE: &str = "scalesim-fuzz: allocation limit";

/// The system allocator with a cap on live bytes.
#[derive(Debug)]
pub struct LimitedAllocator {
    limit_bytes: usize,
    live_bytes: AtomicUsize,
}

impl LimitedAllocator {
    /// An allocator that aborts when live bytes would pass `limit_bytes`.
    pub const fn new(limit_bytes: usize) -> Self {
        Self {
            limit_bytes,
            live_bytes: AtomicUsize::new(0),
        }
    }

    /// Bytes allocated and not yet freed.
    pub fn live_bytes(&self) -> usize {
        self.live_bytes.load(Ordering::Relaxed)
    }

    /// Counts `size` more bytes, or aborts if that passes the limit.
    fn reserve(&self, size: usize) {
        let before = self.live_bytes.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > self.limit_bytes {
            abort_over_limit(before, size, self.limit_bytes);
        }
    }

    fn release(&self, size: usize) {
        self.live_bytes.fetch_sub(size, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's layout and pointer unchanged;
// the counting around it only reads and writes an atomic and never touches the memory.
unsafe impl GlobalAlloc for LimitedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.reserve(layout.size());
        // SAFETY: the caller's contract for `alloc` is `System::alloc`'s.
        let pointer = unsafe { System.alloc(layout) };
        if pointer.is_null() {
            self.release(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.reserve(layout.size());
        // SAFETY: as for `alloc`.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if pointer.is_null() {
            self.release(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` came from this allocator, that is from `System`, with `layout`.
        unsafe { System.dealloc(pointer, layout) };
        self.release(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_size = layout.size();
        if new_size > old_size {
            self.reserve(new_size - old_size);
        }
        // SAFETY: `pointer` came from `System` with `layout`; the caller checked `new_size`.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        match (moved.is_null(), new_size > old_size) {
            // Failed: the old block stays, so the bytes reserved for growth go back.
            (true, true) => self.release(new_size - old_size),
            (true, false) => {}
            (false, true) => {}
            (false, false) => self.release(old_size - new_size),
        }
        moved
    }
}

/// Writes the message to stderr without allocating (the allocator is the one refusing), then
/// aborts.
#[cold]
fn abort_over_limit(live: usize, request: usize, limit: usize) -> ! {
    let mut message = [0u8; 256];
    let mut length = 0;
    let mut push = |bytes: &[u8]| {
        for &byte in bytes {
            if let Some(slot) = message.get_mut(length) {
                *slot = byte;
                length += 1;
            }
        }
    };
    let mut digits = [0u8; 20];
    push(ALLOCATION_LIMIT_MESSAGE.as_bytes());
    push(b": ");
    push(decimal(request as u64, &mut digits));
    push(b" bytes requested with ");
    push(decimal(live as u64, &mut digits));
    push(b" live would pass the limit of ");
    push(decimal(limit as u64, &mut digits));
    push(b" bytes\n");
    write_stderr(message.get(..length).unwrap_or_default());
    std::process::abort()
}

/// `value` in decimal, written into `buffer`.
fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    &buffer[start..]
}

#[cfg(unix)]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write as _;
    use std::os::fd::FromRawFd as _;
    // SAFETY: fd 2 is open for the life of the process; `ManuallyDrop` keeps it open after.
    let mut stderr = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(2) });
    let _ = stderr.write_all(bytes);
}

#[cfg(not(unix))]
fn write_stderr(bytes: &[u8]) {
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_without_allocating() {
        let mut buffer = [0u8; 20];
        assert_eq!(decimal(0, &mut buffer), b"0");
        assert_eq!(decimal(4_294_967_296, &mut buffer), b"4294967296");
        assert_eq!(decimal(u64::MAX, &mut buffer), b"18446744073709551615");
    }

    #[test]
    fn live_bytes_follow_allocations_and_frees() {
        let allocator = LimitedAllocator::new(1 << 20);
        let layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: the layout is non-zero; the block is freed with the same layout.
        unsafe {
            let block = allocator.alloc(layout);
            assert_eq!(allocator.live_bytes(), 1000);
            let grown = allocator.realloc(block, layout, 3000);
            assert_eq!(allocator.live_bytes(), 3000);
            allocator.dealloc(grown, Layout::from_size_align(3000, 8).unwrap());
        }
        assert_eq!(allocator.live_bytes(), 0);
    }
}
