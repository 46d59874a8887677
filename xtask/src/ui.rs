//! Step-by-step progress output with timings, so a slow setup says where its time went.

use std::cell::RefCell;
use std::time::{Duration, Instant};

thread_local! {
    static TIMINGS: RefCell<Vec<(String, Duration)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` as a named step: prints its start, its duration, and records it for [`summary`].
pub fn step<T>(name: &str, f: impl FnOnce() -> crate::Result<T>) -> crate::Result<T> {
    println!("==> {name}");
    let start = Instant::now();
    let result = f();
    let took = start.elapsed();
    match &result {
        Ok(_) => println!("    {name}: done in {}", fmt(took)),
        Err(_) => println!("    {name}: FAILED after {}", fmt(took)),
    }
    TIMINGS.with(|t| t.borrow_mut().push((name.to_string(), took)));
    result
}

/// A detail line under the current step.
pub fn note(msg: impl AsRef<str>) {
    println!("    {}", msg.as_ref());
}

/// Prints every step's duration, in order.
pub fn summary(title: &str) {
    TIMINGS.with(|t| {
        let t = t.borrow();
        let total: Duration = t.iter().map(|(_, d)| *d).sum();
        println!("\n{title} (total {}):", fmt(total));
        for (name, d) in t.iter() {
            println!("  {:>8}  {name}", fmt(*d));
        }
    });
}

fn fmt(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}
