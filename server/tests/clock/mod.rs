//! The clock of the growth tests: the CPU time of the calling thread, which other
//! processes on a busy machine do not inflate (wall clock did: a growth test failed
//! under a load of 19 with nothing quadratic in it).

use std::time::Duration;

/// The CPU time this thread has used so far, or wall time since the first call where
/// the platform gives no thread clock.
pub fn thread_clock() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    cpu_time::ThreadTime::try_now().map_or_else(
        |_| START.get_or_init(std::time::Instant::now).elapsed(),
        |t| t.as_duration(),
    )
}
