//! mimalloc is the process's allocator for Rust's heap. A SCIM request makes a few hundred short-lived
//! allocations (the request and answer, JSON values, rows); with glibc's malloc they were 10–15 % of the
//! server's time, and mimalloc made lookups 20–25 % faster (`../shared/bench/compare.sh`).
//!
//! Two of its options keep the resident memory at glibc's figure (under the 60 MB a SCIM load may use):
//! arenas are committed as they are used, not eagerly, and freed pages go back to the system at once
//! instead of after a delay. mimalloc reads its options when it first allocates, which in a Rust
//! program happens before `main`; so they are set by a constructor that runs before that (the
//! loader calls `.init_array` before the runtime starts), and it allocates nothing itself.
//! (SQLite and other C code keep glibc's malloc: `crate::malloc_tuning`.)

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static SET_OPTIONS: extern "C" fn() = set_options;

/// `mi_option_arena_eager_commit` and `mi_option_purge_delay` in the bundled mimalloc 3's
/// `mimalloc.h` (the Rust bindings do not name them).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
#[cfg(target_os = "linux")]
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[cfg(target_os = "linux")]
extern "C" fn set_options() {
    // SAFETY: mi_option_set only stores a value in mimalloc's option table; it runs once, on the
    // only thread, before the first allocation.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}
