//! Running long pure-Rust work (cold PBKDF2 with thousands of rounds) without Ruby's GVL, so
//! other Ruby threads (a Puma worker's other requests) keep running meanwhile.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

struct Call<F, R> {
    work: Option<F>,
    result: Option<std::thread::Result<R>>,
}

unsafe extern "C" fn trampoline<F: FnOnce() -> R, R>(data: *mut c_void) -> *mut c_void {
    // SAFETY: `data` is the `Call` that `without_gvl` passed in; it outlives this call.
    let call = unsafe { &mut *data.cast::<Call<F, R>>() };
    if let Some(work) = call.work.take() {
        // A panic must not unwind through Ruby's C frames.
        call.result = Some(catch_unwind(AssertUnwindSafe(work)));
    }
    std::ptr::null_mut()
}

/// Runs `work` with the GVL released. `work` must not touch Ruby objects (copy inputs first).
/// Returns Err if it panicked.
pub fn without_gvl<F: FnOnce() -> R, R>(work: F) -> std::thread::Result<R> {
    let mut call = Call {
        work: Some(work),
        result: None,
    };
    // SAFETY: the trampoline only runs `work`, which touches no Ruby state; no unblock
    // function is needed for a bounded computation.
    unsafe {
        rb_sys::rb_thread_call_without_gvl(
            Some(trampoline::<F, R>),
            (&mut call as *mut Call<F, R>).cast::<c_void>(),
            None,
            std::ptr::null_mut(),
        );
    }
    call.result
        .unwrap_or_else(|| Err(Box::new("work did not run without the GVL")))
}
