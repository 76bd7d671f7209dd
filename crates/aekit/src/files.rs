//! Writing files so that a crash never leaves a half-written one.
//!
//! ```
//! let path = std::env::temp_dir().join(format!("aekit-doc-{}/notes.txt", std::process::id()));
//! aekit::files::write_atomic(&path, b"all or nothing")?; // creates the folder too
//! assert_eq!(std::fs::read(&path).unwrap(), b"all or nothing");
//! # std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
//! # Ok::<(), aekit::Error>(())
//! ```

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename,
/// fsync of the folder. Creates missing parent folders.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().ok_or_else(|| Error::io(path, std::io::ErrorKind::InvalidInput.into()))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| Error::io(path, e))
}
