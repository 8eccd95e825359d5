//! Where Leadline keeps its data: `--data-dir`, else `LEADLINE_DATA_DIR`, else the OS app-data
//! directory. Debug builds use a directory of their own so a developer's experiments never touch
//! the data of an installed release.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "LEADLINE_DATA_DIR";

/// The database's file name inside the data directory.
pub const DATABASE_FILE: &str = "leadline.db";

/// Picks the data directory: an explicit path first, then the environment, then the OS default.
pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let app = if cfg!(debug_assertions) {
        "Leadline-dev"
    } else {
        "Leadline"
    };
    directories::ProjectDirs::from("app", "Leadline", app)
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::Storage(format!(
                "no home directory to keep data in; set {DATA_DIR_ENV} or pass --data-dir"
            ))
        })
}

/// Creates the data directory if needed and returns the database path inside it.
pub fn prepare(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Storage(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(dir.join(DATABASE_FILE))
}
