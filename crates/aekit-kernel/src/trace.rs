//! Where a cell's time goes, for `AEKIT_KERNEL_TRACE=1` (the kernel's stderr): the engine's
//! own phases, and how long cargo, rustc and the linker ran (sampled every 5 ms from /proc
//! among the kernel's descendants, the child excluded). What is left of the cell's time is
//! the engine's analysis (rust-analyzer, in the kernel's process) and the child's loading.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::interrupt::{descendants, Activity};

const SAMPLE: Duration = Duration::from_millis(5);
const KINDS: [(&str, &[&str]); 3] =
    [("cargo", &["cargo"]), ("rustc", &["rustc"]), ("link", &["cc", "ld", "mold", "collect2", "ld.bfd", "ld.lld"])];

pub struct Trace {
    started: Instant,
    stop: Arc<AtomicBool>,
    sampler: JoinHandle<[Duration; 3]>,
}

impl Trace {
    /// Starts sampling when `AEKIT_KERNEL_TRACE` is set.
    pub fn start(activity: &Arc<Activity>) -> Option<Trace> {
        std::env::var_os("AEKIT_KERNEL_TRACE")?;
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, activity) = (Arc::clone(&stop), Arc::clone(activity));
        let sampler = std::thread::spawn(move || {
            let mut busy = [Duration::ZERO; 3];
            while !flag.load(Ordering::SeqCst) {
                let names: Vec<String> =
                    descendants(std::process::id(), activity.child()).into_iter().map(|(_, n)| n).collect();
                for (i, (_, kind)) in KINDS.iter().enumerate() {
                    if names.iter().any(|n| kind.contains(&n.as_str())) {
                        busy[i] += SAMPLE;
                    }
                }
                std::thread::sleep(SAMPLE);
            }
            busy
        });
        Some(Trace { started: Instant::now(), stop, sampler })
    }

    /// Logs the cell's breakdown.
    pub fn finish(self, count: u64, phases: &[(String, Duration)]) {
        let total = self.started.elapsed();
        self.stop.store(true, Ordering::SeqCst);
        let busy = self.sampler.join().unwrap_or_default();
        let phases: Vec<String> = phases.iter().map(|(n, d)| format!("{n} {:.2}", d.as_secs_f64())).collect();
        let tools: Vec<String> =
            KINDS.iter().zip(busy).map(|((n, _), d)| format!("{n} {:.2}", d.as_secs_f64())).collect();
        eprintln!(
            "aekit-kernel: trace: cell {count}: {:.2} s; engine phases: {}; processes: {}",
            total.as_secs_f64(),
            phases.join(", "),
            tools.join(", ")
        );
    }
}
