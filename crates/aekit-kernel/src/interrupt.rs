//! What an interrupt (■) does, by what the kernel is doing when it comes:
//!
//! - idle: nothing;
//! - a cell compiling (the engine's analysis, cargo, rustc, the linker): the build is stopped
//!   (cargo's process tree is killed); the child and every variable stay;
//! - a cell running: the child gets SIGINT, which it records instead of dying; aekit's trainer
//!   reads it at its next batch, puts the model back to its last whole epoch, checkpoints it and
//!   ends the cell with "interrupted after epoch N"; every variable stays;
//! - code that never looks (a busy loop of the user's): after [`GRACE`] the child is killed,
//!   the engine starts a new one, and the cell's error says plainly that the variables are lost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long running code has, after SIGINT, to stop on its own before the child is restarted.
pub const GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);

/// How an interrupted cell was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Asked; the running code stopped on its own (or the request found nothing to stop yet).
    Requested,
    /// Its build was stopped.
    BuildStopped,
    /// The child did not stop within the grace period and was restarted.
    Restarted,
}

/// What the kernel is doing now: the cell in flight, shared by the engine (which starts and
/// ends cells), the output thread (which sees the child start running one) and the control
/// socket (interrupts).
#[derive(Default)]
pub struct Activity {
    cell: Mutex<Option<Cell>>,
    next_id: AtomicU32,
    child_pid: AtomicU32,
}

struct Cell {
    id: u32,
    parent: Value,
    running: bool,
    interrupt: Option<Outcome>,
}

impl Activity {
    pub fn set_child(&self, pid: u32) {
        self.child_pid.store(pid, Ordering::SeqCst);
    }

    pub fn child(&self) -> u32 {
        self.child_pid.load(Ordering::SeqCst)
    }

    /// A cell starts (compiling first); its outputs belong to `parent`.
    pub fn begin(&self, parent: Value) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        *self.cell.lock().unwrap() = Some(Cell { id, parent, running: false, interrupt: None });
    }

    /// The cell is over; how it was interrupted, if it was.
    pub fn end(&self) -> Option<Outcome> {
        self.cell.lock().unwrap().take().and_then(|c| c.interrupt)
    }

    /// The child started running the cell's code.
    pub fn mark_running(&self) {
        if let Some(cell) = self.cell.lock().unwrap().as_mut() {
            cell.running = true;
        }
    }

    /// The header outputs now belong to (none between cells).
    pub fn parent(&self) -> Option<Value> {
        self.cell.lock().unwrap().as_ref().map(|c| c.parent.clone())
    }

    fn set_outcome(&self, id: u32, outcome: Outcome) {
        if let Some(cell) = self.cell.lock().unwrap().as_mut().filter(|c| c.id == id) {
            cell.interrupt = Some(outcome);
        }
    }

    /// `Some(running)` while cell `id` is in flight.
    fn state(&self, id: u32) -> Option<bool> {
        self.cell.lock().unwrap().as_ref().filter(|c| c.id == id).map(|c| c.running)
    }
}

/// Handles an interrupt request: returns at once, and a watcher stops the cell as the module
/// says.
pub fn request(activity: &Arc<Activity>) {
    let id = {
        let mut cell = activity.cell.lock().unwrap();
        let Some(cell) = cell.as_mut() else {
            eprintln!("aekit-kernel: interrupt while idle: nothing to stop");
            return;
        };
        if cell.interrupt.is_some() {
            return; // already being stopped
        }
        cell.interrupt = Some(Outcome::Requested);
        cell.id
    };
    let activity = Arc::clone(activity);
    std::thread::spawn(move || watch(&activity, id));
}

fn watch(activity: &Activity, id: u32) {
    let mut signalled: Option<Instant> = None;
    while let Some(running) = activity.state(id) {
        if running {
            let pid = activity.child() as i32;
            match signalled {
                None => {
                    // SAFETY: sends a signal to our own child process.
                    unsafe { libc::kill(pid, libc::SIGINT) };
                    signalled = Some(Instant::now());
                }
                Some(at) if at.elapsed() > GRACE => {
                    activity.set_outcome(id, Outcome::Restarted);
                    eprintln!("aekit-kernel: the cell did not stop within {GRACE:?} of SIGINT; restarting the child");
                    // SAFETY: as above.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    return;
                }
                Some(_) => {}
            }
        } else if stop_builds(std::process::id(), activity.child()) > 0 {
            activity.set_outcome(id, Outcome::BuildStopped);
        }
        std::thread::sleep(POLL);
    }
}

/// Kills every cargo process tree under `root` (not under the child `except`); how many
/// processes it signalled. The trees are frozen first (SIGSTOP, until every thread shows
/// stopped) and killed only then: a cargo killed while it starts a rustc would leave that rustc
/// running as an orphan, holding the engine's pipe open, and the cell would wait for its end.
fn stop_builds(root: u32, except: u32) -> usize {
    let deadline = Instant::now() + FREEZE_LIMIT;
    let mut frozen: Vec<u32> = Vec::new();
    loop {
        let tree = build_processes(root, except);
        let fresh: Vec<u32> = tree.iter().copied().filter(|pid| !frozen.contains(pid)).collect();
        for &pid in &fresh {
            // SAFETY: signals a build process this kernel started.
            unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
        }
        frozen.extend(&fresh);
        if (fresh.is_empty() && tree.iter().all(|&pid| stopped(pid))) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    for &pid in &frozen {
        // SAFETY: as above; SIGKILL ends a stopped process too.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
    frozen.len()
}

/// How long freezing a build may take before it is killed as it stands.
const FREEZE_LIMIT: Duration = Duration::from_secs(2);

/// Every cargo under `root` (not under `except`) and everything under those cargos.
fn build_processes(root: u32, except: u32) -> Vec<u32> {
    let cargos = descendants(root, except).into_iter().filter(|(_, name)| name == "cargo");
    cargos
        .flat_map(|(cargo, _)| std::iter::once(cargo).chain(descendants(cargo, 0).into_iter().map(|(pid, _)| pid)))
        .collect()
}

/// Whether every thread of `pid` is stopped (or the process is gone): it can start nothing.
fn stopped(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return true };
    tasks.filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("stat")).ok()).all(|stat| {
        // "tid (name) state ...": the state follows the last parenthesis.
        stat.rfind(')').and_then(|close| stat[close + 2..].chars().next()).is_none_or(|state| "TtZX".contains(state))
    })
}

/// (pid, name) of every process under `root`, not under `except`.
pub fn descendants(root: u32, except: u32) -> Vec<(u32, String)> {
    let mut children: HashMap<u32, Vec<(u32, String)>> = HashMap::new();
    for (pid, ppid, name) in processes() {
        children.entry(ppid).or_default().push((pid, name));
    }
    let (mut found, mut stack) = (Vec::new(), vec![root]);
    while let Some(pid) = stack.pop() {
        for (child, name) in children.remove(&pid).into_iter().flatten() {
            if child != except {
                stack.push(child);
                found.push((child, name));
            }
        }
    }
    found
}

/// (pid, parent pid, name) of every process, from /proc.
fn processes() -> Vec<(u32, u32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|entry| {
        let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (name) state ppid ...": the name may hold spaces and parentheses.
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let ppid = stat[close + 2..].split(' ').nth(1)?.parse().ok()?;
        Some((pid, ppid, stat[open + 1..close].to_string()))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held by the tests that start fake cargos: each stops every cargo under this process.
    static CARGOS: Mutex<()> = Mutex::new(());

    /// A shell script named "cargo" in a folder of its own, started: (the folder, the process).
    fn start_fake_cargo(tag: &str, script: &str) -> (std::path::PathBuf, std::process::Child) {
        let dir = std::env::temp_dir().join(format!("aekit-kernel-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cargo = dir.join("cargo");
        std::fs::write(&cargo, format!("#!/bin/sh\n{script}")).unwrap();
        std::fs::set_permissions(&cargo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let build = std::process::Command::new(&cargo).spawn().unwrap();
        (dir, build)
    }

    #[test]
    fn processes_include_this_one_with_its_parent() {
        let me = std::process::id();
        let mine = processes().into_iter().find(|p| p.0 == me).expect("this process is listed");
        assert_eq!(mine.1, std::os::unix::process::parent_id());
    }

    #[test]
    fn stopping_a_build_that_keeps_starting_processes_leaves_none_running() {
        let _cargos = CARGOS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // A "cargo" that starts processes as fast as it can: killed while it starts one, it would
        // leave that one running as an orphan (in the kernel, a rustc holding the engine's pipe).
        let marker = format!("900.{}", std::process::id()); // a sleep length no other process has
        let script = format!("i=0\nwhile [ $i -lt 3000 ]; do sleep {marker} & i=$((i+1)); done\nwait\n");
        let (dir, mut build) = start_fake_cargo("race", &script);
        std::thread::sleep(Duration::from_millis(100));
        assert!(stop_builds(std::process::id(), 0) >= 2, "cargo and its sleeps");
        assert!(build.wait().is_ok());
        std::thread::sleep(Duration::from_millis(300));
        let left: Vec<u32> = processes()
            .into_iter()
            .filter(|&(pid, _, _)| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&marker))
            })
            .map(|(pid, _, _)| pid)
            .collect();
        for &pid in &left {
            // SAFETY: a sleep this test started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(left.is_empty(), "{} processes outlived their cargo", left.len());
    }

    #[test]
    fn stopping_builds_kills_cargo_trees_only() {
        let _cargos = CARGOS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // A process named "cargo" (a copy of sleep) with a child, and a plain sleep beside it.
        let (dir, mut build) = start_fake_cargo("test", "sleep 30 &\nwait\n");
        let mut other = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(stop_builds(std::process::id(), 0) >= 2, "cargo and its sleep");
        assert!(build.wait().is_ok());
        assert_eq!(other.try_wait().unwrap(), None, "the other process runs on");
        other.kill().unwrap();
        let _ = other.wait();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
