//! Keeps the process's resident memory near what it actually uses under bursts of sign-ins.
//!
//! glibc's allocator raises its mmap threshold each time a large mmapped block is freed (up to
//! 32 MiB). argon2 frees a 19 MiB block after every password check, so after the first sign-in
//! every allocation below 19 MiB is carved out of the per-thread arenas instead, and arenas
//! only give memory back from their top: 1,000 concurrent sign-ins left 360 MB resident for
//! 40–90 MB of live heap (measured with heaptrack, `make bench-signin`). Fixing the threshold
//! (mallopt(3), which also turns the dynamic adjustment off) makes large blocks come from and go
//! back to the kernel directly: the same flood peaks at about 90 MB. Rust's heap (argon2's blocks
//! included) is mimalloc's since (`crate::allocator`); this still governs what C code (SQLite)
//! allocates with glibc.

/// Blocks of at least this size are mapped and unmapped on their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// Call once, first thing in `main`, before other threads exist.
pub fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; it is called before any other
    // thread runs, and a refused value (return 0) leaves the default behaviour in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
