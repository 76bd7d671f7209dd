//! One kernel per build folder. The engine writes each cell's crate into `$EVCXR_TMPDIR`; two
//! kernels sharing it (two notebooks open) overwrite each other's cells and fail in ways that
//! name neither. Each kernel holds a lock on its folder for its life; one that finds the
//! folder taken uses `<folder>-2`, `-3`, … (whose first build is slower) and says so.

use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

const MAX: usize = 16;

/// Claims a build folder and points `EVCXR_TMPDIR` at it; the lock lasts as long as the file.
/// Call before any other thread starts (it sets an environment variable).
pub fn claim() -> Option<File> {
    let base: OsString = std::env::var_os("EVCXR_TMPDIR")?;
    for n in 1..=MAX {
        let mut dir = base.clone();
        if n > 1 {
            dir.push(format!("-{n}"));
        }
        let dir = PathBuf::from(dir);
        if std::fs::create_dir_all(&dir).is_err() {
            continue;
        }
        let Ok(lock) = File::create(dir.join(".aekit-kernel.lock")) else { continue };
        // SAFETY: flock on a file descriptor we own.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
            if n > 1 {
                eprintln!(
                    "aekit-kernel: another kernel builds in {}; this one builds in {} (its first cells build its dependencies)",
                    PathBuf::from(&base).display(),
                    dir.display()
                );
                std::env::set_var("EVCXR_TMPDIR", &dir);
            }
            return Some(lock);
        }
    }
    eprintln!(
        "aekit-kernel: {MAX} kernels already build beside {}; sharing the last folder",
        PathBuf::from(&base).display()
    );
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_kernel_takes_the_next_folder() {
        let base = std::env::temp_dir().join(format!("aekit-build-folder-{}", std::process::id()));
        std::env::set_var("EVCXR_TMPDIR", &base);
        let first = super::claim().expect("the folder is free");
        assert_eq!(std::env::var_os("EVCXR_TMPDIR").unwrap(), base.as_os_str());
        let second = super::claim().expect("the next folder is free");
        let mut next = base.clone().into_os_string();
        next.push("-2");
        assert_eq!(std::env::var_os("EVCXR_TMPDIR").unwrap(), next);
        drop((first, second));
        let _ = std::fs::remove_dir_all(&base);
        let _ = std::fs::remove_dir_all(std::path::PathBuf::from(next));
    }
}
