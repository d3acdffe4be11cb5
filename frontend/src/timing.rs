//! Named moments on the browser's performance timeline (User Timing `performance.mark`), for
//! the benchmark's timeline and a browser's own profiler.

pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
